"""The workspace: the folder holding regions/, templates/, signed/ and the tracker."""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from mougen.errors import NOT_A_WORKSPACE, ConfigError, MougenError, OutputError, TemplateError

if TYPE_CHECKING:
    from mougen.config import Catalog

#: The repository checkout this package runs from; it doubles as the bundled workspace.
#: The repository's own workspace (its root): regions and templates a coordinator working
#: in the checkout may have edited.
BUNDLED = Path(__file__).resolve().parent.parent
#: The regions and templates shipped inside the package as released: what ``mougen init``
#: copies, whatever the checkout's own files now say.
PACKAGED = Path(__file__).resolve().parent / "data" / "workspace"


@dataclass(frozen=True)
class Workspace:
    """A coordinator's working folder and the paths of everything in it."""

    root: Path
    db_url_override: str | None = None

    @classmethod
    def locate(cls, root: str | Path | None = None, db_url: str | None = None) -> Workspace:
        """The workspace named by ``--workspace``, ``MOUGEN_WORKSPACE`` or the current folder."""
        chosen = root or os.environ.get("MOUGEN_WORKSPACE") or Path.cwd()
        return cls(Path(chosen).resolve(), db_url or os.environ.get("MOUGEN_DB"))

    @property
    def regions_dir(self) -> Path:
        return self.root / "regions"

    @property
    def templates_dir(self) -> Path:
        return self.root / "templates"

    @property
    def signed_dir(self) -> Path:
        return self.root / "signed"

    @property
    def issued_dir(self) -> Path:
        """Where pack keeps a copy of each issued manifest: the record of what was sent."""
        return self.root / "issued"

    @property
    def db_file(self) -> Path:
        """The tracker's SQLite file when no other database is named."""
        return self.root / "mougen.db"

    @property
    def db_url(self) -> str:
        return self.db_url_override or f"sqlite:///{self.db_file}"

    @property
    def has_tracker(self) -> bool:
        """Whether there is a tracker to consult (a check should not create one)."""
        return self.db_url_override is not None or self.db_file.exists()

    @property
    def is_workspace(self) -> bool:
        """Whether the folder is a workspace at all (it has a regions/ folder)."""
        return self.regions_dir.is_dir()

    def require(self) -> None:
        """Refuse a folder that is not a workspace, before anything is read or created in it."""
        if not self.is_workspace:
            raise ConfigError(NOT_A_WORKSPACE, self.regions_dir)

    def check_writable(self) -> None:
        """Refuse, before anything is written, a workspace whose records cannot be written.

        A command that writes documents and then fails to record them would leave packs
        that look issued but are not; so it asks here first.
        """
        self.require()
        for path in (self.root, self.issued_dir, self.signed_dir, self.db_file):
            if path.exists() and not os.access(path, os.W_OK):
                raise OutputError("read-only: this command records into the workspace", path)

    @cached_property
    def catalog(self) -> Catalog:
        # the config (and pydantic) load with the first catalog: a process forked before
        # then, such as pack's tracker work, never loads them
        from mougen.config import load_catalog

        return load_catalog(self.regions_dir)

    def template_path(self, mou_id: str) -> Path:
        """The template file of an MoU version; ``TemplateError`` if it is missing."""
        entry = self.catalog.mou(mou_id)
        path = self.templates_dir / entry.mou.template
        if not path.is_file():
            raise TemplateError(f"template for {mou_id} is missing", path)
        return path


def init_workspace(target: Path, source: Path = PACKAGED) -> Workspace:
    """Create a new workspace at ``target`` from the package's regions and templates."""
    if target.exists() and any(target.iterdir()):
        raise MougenError("folder is not empty; choose a new folder", target)
    for sub in ("regions", "templates"):
        if not (source / sub).is_dir():
            raise MougenError(f"bundled {sub}/ not found (a damaged installation?)", source)
    try:
        target.mkdir(parents=True, exist_ok=True)
        for sub in ("regions", "templates"):
            shutil.copytree(source / sub, target / sub)
        (target / "signed").mkdir()
    except OSError as exc:
        raise MougenError(f"cannot create workspace: {exc.strerror}", target) from None
    return Workspace(target.resolve())

"""The manifest of a pack: every file with its SHA-256, and what it was made from."""

from __future__ import annotations

import getpass
import json
from dataclasses import asdict, dataclass, fields
from datetime import datetime
from pathlib import Path
from typing import Any

from mougen import __version__
from mougen.config import Authority
from mougen.config.catalog import MouEntry
from mougen.digest import sha256_hex


@dataclass(frozen=True)
class ManifestFile:
    """One file of a pack: its name, SHA-256 and size."""

    name: str
    sha256: str
    bytes: int


@dataclass(frozen=True)
class Manifest:
    """What a pack holds and what it was made from: the record of one issued PDF."""

    mou: str
    mou_title: str
    region: str
    authority: str
    authority_name: str
    issued_pdf: str
    issued_pdf_sha256: str
    template: str
    template_sha256: str
    issued_by: str
    tool: str
    tool_version: str
    generated_at: datetime
    files: tuple[ManifestFile, ...]

    def to_json(self) -> dict[str, Any]:
        """The manifest as ``manifest.json`` holds it (keys in this order)."""
        data = asdict(self)
        data["generated_at"] = self.generated_at.isoformat()
        data["files"] = [asdict(f) for f in self.files]
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Manifest:
        """A manifest read back; ``KeyError``/``TypeError``/``ValueError`` if it is malformed.

        Manifests written before ``issued_by`` was recorded name the tool instead.
        """
        values = {f.name: data[f.name] for f in fields(cls) if f.name != "issued_by"}
        values["issued_by"] = data.get("issued_by") or f"mougen {data['tool_version']}"
        values["generated_at"] = datetime.fromisoformat(data["generated_at"])
        values["files"] = tuple(ManifestFile(**f) for f in data["files"])
        return cls(**values)

    def to_bytes(self) -> bytes:
        """The manifest as written to disk: stable key order, UTF-8, newline-terminated."""
        return (json.dumps(self.to_json(), indent=2, ensure_ascii=False) + "\n").encode("utf-8")


def issued_by() -> str:
    """Who is issuing: the account running mougen (the manifest records it for rebuilds)."""
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no name for this uid, as in some containers
        return "unknown"


def build_manifest(
    entry: MouEntry,
    authority: Authority,
    files: dict[str, bytes],
    issued_pdf: str,
    template: Path,
    when: datetime,
) -> Manifest:
    """The manifest for a pack holding ``files`` (name -> bytes)."""
    return Manifest(
        mou=entry.mou.id,
        mou_title=entry.mou.title,
        region=entry.region.id,
        authority=authority.slug,
        authority_name=authority.name,
        issued_pdf=issued_pdf,
        issued_pdf_sha256=sha256_hex(files[issued_pdf]),
        template=template.name,
        template_sha256=sha256_hex(template.read_bytes()),
        issued_by=issued_by(),
        tool="mougen",
        tool_version=__version__,
        generated_at=when,
        files=tuple(
            ManifestFile(name, sha256_hex(data), len(data)) for name, data in sorted(files.items())
        ),
    )

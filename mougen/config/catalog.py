"""The catalog: every region file of a workspace, loaded, validated and indexed."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import yaml
from pydantic import ValidationError

from mougen.config.models import Authority, MouVersion, Region, RegionFile
from mougen.errors import ConfigError, UnknownItem


@dataclass(frozen=True)
class MouEntry:
    """An MoU version together with the region (and file) that defines it."""

    mou: MouVersion
    region: Region
    source: Path
    authorities: dict[str, Authority]

    @property
    def parties(self) -> list[Authority]:
        """The authorities that are party to this version, in config order."""
        return [self.authorities[slug] for slug in self.mou.parties]

    def party(self, slug: str) -> Authority:
        """One party by slug; ``UnknownItem`` if the authority is not a party."""
        if slug not in self.mou.parties:
            raise UnknownItem(f"authority {slug!r} is not a party to {self.mou.id}", self.source)
        return self.authorities[slug]


@dataclass
class Catalog:
    """All regions of a workspace, with lookups by MoU id."""

    files: dict[Path, RegionFile] = field(default_factory=dict)
    entries: dict[str, MouEntry] = field(default_factory=dict)

    def mou(self, mou_id: str) -> MouEntry:
        """The MoU version with this id; ``UnknownItem`` lists the known ids otherwise."""
        try:
            return self.entries[mou_id]
        except KeyError:
            known = ", ".join(sorted(self.entries)) or "none"
            raise UnknownItem(f"unknown MoU {mou_id!r} (known: {known})") from None

    def successor(self, mou_id: str) -> str | None:
        """The id of the version that supersedes this one, if any."""
        for entry in self.entries.values():
            if entry.mou.supersedes == mou_id:
                return entry.mou.id
        return None

    def add(self, path: Path, region_file: RegionFile) -> None:
        by_slug = {a.slug: a for a in region_file.authorities}
        for mou in region_file.mous:
            if mou.id in self.entries:
                other = self.entries[mou.id].source
                raise ConfigError(f"mous: MoU id {mou.id!r} is also defined in {other}", path)
            self.entries[mou.id] = MouEntry(mou, region_file.region, path, by_slug)
        self.files[path] = region_file


def load_region_file(path: Path) -> RegionFile:
    """Read and validate one region file; errors name the file and the key path."""
    try:
        data = _parse_yaml(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError(f"cannot read: {exc.strerror}", path) from None
    except UnicodeDecodeError:
        raise ConfigError("not UTF-8 text", path) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
        problem = getattr(exc, "problem", None) or "invalid YAML"
        raise ConfigError(f"{where}{problem}", path) from None
    if not isinstance(data, dict):
        raise ConfigError("expected a mapping with region, mous and authorities", path)
    try:
        return RegionFile.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(_first_problem(exc), path) from None


def _parse_yaml(text: str) -> object:
    """``yaml.safe_load``, ten times faster with libyaml's parser where PyYAML has it; a
    file it refuses is parsed again in Python, whose messages say more (and stay as they were)."""
    try:
        return yaml.load(text, Loader=_FAST_SAFE_LOADER)
    except yaml.YAMLError:
        return yaml.safe_load(text)


#: PyYAML's safe loader on libyaml (the wheels ship it), else the pure-Python one.
_FAST_SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _first_problem(exc: ValidationError) -> str:
    err = exc.errors()[0]
    loc = ".".join(str(p) for p in err["loc"])
    msg = err["msg"].removeprefix("Value error, ")
    extra = f" (and {exc.error_count() - 1} more)" if exc.error_count() > 1 else ""
    return f"{loc}: {msg}{extra}" if loc else f"{msg}{extra}"


#: What a folder without regions/ is told.
NOT_A_WORKSPACE = "no regions folder here (run `mougen init DIR` to make a workspace)"

#: The suffixes a region file may have.
REGION_SUFFIXES = (".yaml", ".yml")


def region_files(regions_dir: Path) -> list[Path]:
    """The region files in ``regions_dir`` (``*.yaml`` and ``*.yml``), by name."""
    if not regions_dir.is_dir():
        return []
    return sorted(p for p in regions_dir.iterdir() if p.suffix in REGION_SUFFIXES and p.is_file())


def load_catalog(regions_dir: Path) -> Catalog:
    """Load every region file (``*.yaml``, ``*.yml``) in ``regions_dir`` into one catalog."""
    if not regions_dir.is_dir():
        raise ConfigError(NOT_A_WORKSPACE, regions_dir)
    catalog = Catalog()
    for path in region_files(regions_dir):
        catalog.add(path, load_region_file(path))
    for entry in catalog.entries.values():
        prior = entry.mou.supersedes
        if prior is not None and prior not in catalog.entries:
            raise ConfigError(
                f"mous: {entry.mou.id} supersedes unknown MoU {prior!r}", entry.source
            )
    return catalog

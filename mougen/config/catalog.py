"""The catalog: every region file of a workspace, loaded, validated and indexed."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import yaml
from pydantic import ValidationError

from mougen.config.models import Authority, MouVersion, Region, RegionFile
from mougen.errors import NOT_A_WORKSPACE, ConfigError, UnknownItem

#: libyaml's safe loader where PyYAML was built with it: it reads the region files ten
#: times faster than the pure-Python one, which every command would otherwise wait for.
_SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


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
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=_SAFE_LOADER)
    except OSError as exc:
        raise ConfigError(f"cannot read: {exc.strerror}", path) from None
    except UnicodeDecodeError:
        raise ConfigError("not UTF-8 text", path) from None
    except yaml.YAMLError as exc:
        raise ConfigError(_yaml_problem(exc), path) from None
    if not isinstance(data, dict):
        raise ConfigError("expected a mapping with region, mous and authorities", path)
    try:
        return RegionFile.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(_first_problem(exc), path) from None


def _yaml_problem(exc: yaml.YAMLError) -> str:
    """Where the YAML went wrong, and what it was in the middle of reading there."""
    problem = getattr(exc, "problem", None) or "invalid YAML"
    mark, context = getattr(exc, "problem_mark", None), getattr(exc, "context", None)
    started = getattr(exc, "context_mark", None)
    line = f"{_at(mark)}: {problem}" if mark else problem
    if context and started:
        line += f" ({context} started at {_at(started)})"
    return line


def _at(mark: yaml.Mark) -> str:
    return f"line {mark.line + 1}, column {mark.column + 1}"


def _first_problem(exc: ValidationError) -> str:
    err = exc.errors()[0]
    loc = ".".join(str(p) for p in err["loc"])
    msg = err["msg"].removeprefix("Value error, ")
    extra = f" (and {exc.error_count() - 1} more)" if exc.error_count() > 1 else ""
    return f"{loc}: {msg}{extra}" if loc else f"{msg}{extra}"


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

"""Rebuilding the tracker from the archive, which loses nothing if the database is lost."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

from mougen.errors import MougenError
from mougen.tracker.records import SignatureFacts
from mougen.tracker.store import Tracker
from mougen.tracker.versions import catalog_versions
from mougen.workflow.archive import manifest_issue, signed_file_signatures
from mougen.workflow.checking import Checker, workspace_spec
from mougen.workspace import Workspace

T = TypeVar("T")


@dataclass
class RebuildCounts:
    """What a rebuild found in the archive, what was new to the tracker, and what it skipped."""

    manifests: int = 0
    issues_added: int = 0
    files: int = 0
    signatures: int = 0
    signatures_added: int = 0
    problems: list[str] = field(default_factory=list)


def rebuild(
    ws: Workspace, tracker: Tracker, *, trust: Sequence[Path] = (), crls: Sequence[Path] = ()
) -> RebuildCounts:
    """Record every version, issued manifest and archived signature the tracker lacks.

    Signatures are judged by the workspace's spec (every region's roots and CRLs) plus the
    PEM files in ``trust`` and the CRL files in ``crls``, as collect judges them. Running
    it again changes nothing: each issue and signature is keyed by its hash. An unreadable
    archive file is reported in ``problems`` and the rest still recorded.
    """
    checker = Checker(workspace_spec(ws, tracker, trust=trust, crls=crls))

    def read_signatures(ws: Workspace, path: Path) -> list[SignatureFacts]:
        return signed_file_signatures(ws, path, checker)

    counts = RebuildCounts()
    tracker.sync_versions(catalog_versions(ws.catalog, ws.templates_dir))
    for path in sorted(ws.issued_dir.glob("*/*/*.json")):
        issue = _attempt(counts, manifest_issue, ws, path)
        if issue is not None:
            counts.manifests += 1
            counts.issues_added += tracker.record_issue(
                mou=issue.mou,
                authority=issue.authority,
                pdf_sha256=issue.pdf_sha256,
                issued_at=issue.issued_at,
                issued_by=issue.issued_by,
                manifest=issue.manifest,
            )
    for signatures in _signed_files_in_signing_order(ws, counts, read_signatures):
        counts.files += 1
        for signature in signatures:
            counts.signatures += 1
            counts.signatures_added += tracker.record_signature(signature)
    return counts


def _signed_files_in_signing_order(
    ws: Workspace, counts: RebuildCounts, read: Callable[[Workspace, Path], list[SignatureFacts]]
) -> list[list[SignatureFacts]]:
    """Each archived file's signatures, fewest first within an authority.

    A signature is recorded against the first file it is seen in; a file with fewer
    signatures is an earlier step of the same signing round, as collect would have met it.
    Among files with as many, the largest comes first: an archive extension appends to the
    file it extends, and the newest version is the one to point at.
    """
    found = []
    for path in sorted(ws.signed_dir.glob("*/*/*.pdf")):
        signatures = _attempt(counts, read, ws, path)
        if signatures is not None:
            size = -path.stat().st_size
            found.append((path.parent, len(signatures), size, path.name, signatures))
    return [signatures for *_, signatures in sorted(found, key=lambda f: f[:4])]


def _attempt(
    counts: RebuildCounts, read: Callable[[Workspace, Path], T], ws: Workspace, path: Path
) -> T | None:
    try:
        return read(ws, path)
    except MougenError as exc:
        counts.problems.append(str(exc))
        return None

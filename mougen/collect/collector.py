"""The collect flow: each PDF in the inbox is verified, matched, filed and recorded, or
left where it is with the reason beside it.

The order matters for safety: the archive copy is made durable first, the tracker is
told second, and only then is the inbox copy removed. A collector killed at any point
leaves nothing lost, and running it again (or ``tracker rebuild``) counts nothing twice.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from mougen import atomic
from mougen.collect.checks import Rejection, issued_and_rightly_signed, signatures_hold
from mougen.collect.filing import file_signed
from mougen.errors import MougenError
from mougen.tracker import Tracker
from mougen.tracker.archive import signature_records
from mougen.verify import verify_bytes
from mougen.verify.trust import load_crls, load_trust_roots
from mougen.verify.validate import read_pdf
from mougen.verify.workspace_trust import workspace_trust_roots
from mougen.workspace import Workspace

REJECTED_SUFFIX = ".rejected.txt"


@dataclass(frozen=True)
class Outcome:
    """What became of one inbox file: where it was filed, or why it was left."""

    file: Path
    archived: Path | None = None
    mou: str | None = None
    authority: str | None = None
    roles: tuple[str, ...] = ()
    reason: str | None = None

    @property
    def accepted(self) -> bool:
        return self.archived is not None


def collect_inbox(
    ws: Workspace,
    inbox: Path,
    tracker: Tracker,
    *,
    trust: Sequence[Path] = (),
    crls: Sequence[Path] = (),
) -> list[Outcome]:
    """Collect every PDF in ``inbox``; the workspace's region CAs are trusted as well."""
    if not inbox.is_dir():
        raise MougenError("inbox is not a folder", inbox)
    roots = load_trust_roots([*workspace_trust_roots(ws), *trust])
    crl_list = load_crls(crls)
    return [
        _collect_one(ws, path, tracker, roots, crl_list)
        for path in sorted(inbox.iterdir())
        if path.is_file() and path.suffix.lower() == ".pdf"
    ]


def _collect_one(ws, path: Path, tracker: Tracker, roots, crls) -> Outcome:
    try:
        data = read_pdf(path)
        report = verify_bytes(data, str(path), trust_roots=roots, crls=crls)
        signatures_hold(report)
        issue = issued_and_rightly_signed(report, tracker, ws)
    except (Rejection, MougenError) as exc:
        reason = exc.detail if isinstance(exc, MougenError) else str(exc)
        atomic.write_bytes(_rejection_note(path), f"{path.name}: {reason}\n".encode())
        return Outcome(path, reason=reason)
    archived = file_signed(ws, issue.mou, issue.authority, data)
    for record in signature_records(ws, archived, data, report):
        tracker.record_signature(record)
    path.unlink(missing_ok=True)
    _rejection_note(path).unlink(missing_ok=True)
    roles = tuple(s.field for s in report.signatures)
    return Outcome(path, archived, issue.mou, issue.authority, roles)


def _rejection_note(path: Path) -> Path:
    return path.with_name(path.name + REJECTED_SUFFIX)

"""The collect flow: each PDF in the inbox is verified, matched, filed and recorded, or
left where it is with the reason beside it.

Each file is read once; those bytes, and only those, are verified, filed and recorded.
The order matters for safety: the archive copy is made durable first, the tracker is
told second, and only then is the inbox copy removed, and only if it still holds exactly
the bytes filed. A collector killed at any point leaves nothing lost, and running it
again (or ``tracker rebuild``) counts nothing twice: a signature is known by what its
signer signed, not by the file or CMS around it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from mougen.collect.checks import Rejection, issued_and_rightly_signed, signatures_hold
from mougen.collect.inbox import clear_note, pdf_entries, read_once, remove_if_unchanged, write_note
from mougen.errors import MougenError
from mougen.tracker import Tracker
from mougen.verify import FileReport
from mougen.verify.verdict import Verdict
from mougen.workflow.archive import signature_records
from mougen.workflow.checking import Checker, workspace_spec
from mougen.workflow.filing import file_signed, sweep_incoming
from mougen.workspace import Workspace


@dataclass(frozen=True)
class Outcome:
    """What became of one returned file: where it was filed, or why it was refused.

    ``name`` is the file's name as given (for display, escape it with
    :func:`mougen.printable.printable`). ``recorded`` counts the signatures new to the
    tracker; ``kept`` says why a filed inbox file was not removed.
    """

    name: str
    archived: Path | None = None
    mou: str | None = None
    authority: str | None = None
    roles: tuple[str, ...] = ()
    recorded: int = 0
    reason: str | None = None
    kept: str | None = None

    @property
    def accepted(self) -> bool:
        return self.archived is not None

    def to_json(self, root: Path) -> dict[str, object]:
        """The object ``collect --json`` prints (docs/json.md); ``archived`` relative to the
        workspace folder ``root``. JSON escapes what a terminal line would not."""
        return {
            "file": self.name,
            "accepted": self.accepted,
            "archived": self.archived.relative_to(root).as_posix() if self.archived else None,
            "mou": self.mou,
            "authority": self.authority,
            "roles": list(self.roles),
            "recorded": self.recorded,
            "reason": self.reason,
            "kept": self.kept,
        }


@dataclass(frozen=True)
class Accepted:
    """A returned file that passed every check: its bytes, its report and its issue."""

    data: bytes
    report: FileReport
    mou: str
    authority: str

    @property
    def roles(self) -> tuple[str, ...]:
        return tuple(s.field for s in self.report.signatures)


def collect_inbox(
    ws: Workspace,
    inbox: Path,
    tracker: Tracker,
    *,
    trust: Sequence[Path] = (),
    tsa_trust: Sequence[Path] = (),
    crls: Sequence[Path] = (),
) -> list[Outcome]:
    """Collect every PDF in ``inbox``, judged by the workspace's spec (its region CAs and
    CRLs, plus ``trust``, the timestamp-only roots ``tsa_trust`` and ``crls``).

    A file another collector takes meanwhile is left out of the list.
    """
    if not inbox.is_dir():
        raise MougenError("inbox is not a folder", inbox)
    checker = Checker(workspace_spec(ws, tracker, trust=trust, tsa_trust=tsa_trust, crls=crls))
    sweep_incoming(ws)
    outcomes = (_collect_path(ws, path, tracker, checker) for path in pdf_entries(inbox))
    return [o for o in outcomes if o is not None]


def collect_bytes(
    ws: Workspace, data: bytes, name: str, tracker: Tracker, checker: Checker
) -> Outcome:
    """Judge one returned file held in memory with ``checker``; if it holds, file and record it.

    Nothing is read from or written beside ``name``: the caller decides what becomes of the
    original. (:func:`accept` and :func:`file_accepted` are the two halves of this.)
    """
    try:
        accepted = accept(data, checker.check_bytes(data, name))
    except Rejection as exc:
        return Outcome(name, reason=exc.detail)
    return file_accepted(ws, tracker, accepted)


def accept(data: bytes, verdict: Verdict) -> Accepted:
    """The checks a judged file must pass to be filed; :class:`Rejection` says why not."""
    report = signatures_hold(verdict)
    issue = issued_and_rightly_signed(verdict)
    # Provenance without an issue always has a problem, so a sound verdict names its issue.
    assert issue.mou is not None and issue.authority is not None
    return Accepted(data, report, issue.mou, issue.authority)


def file_accepted(ws: Workspace, tracker: Tracker, accepted: Accepted) -> Outcome:
    """File an accepted file in the archive and record its signatures (idempotent)."""
    data, report = accepted.data, accepted.report
    archived = file_signed(ws, accepted.mou, accepted.authority, data)
    recorded = sum(
        tracker.record_signature(record) for record in signature_records(ws, archived, data, report)
    )
    return Outcome(
        report.file, archived, accepted.mou, accepted.authority, accepted.roles, recorded
    )


def _collect_path(ws: Workspace, path: Path, tracker: Tracker, checker: Checker) -> Outcome | None:
    """Collect one inbox file: read once, collect those bytes, remove it if still the same."""
    try:
        file = read_once(path)
    except Rejection as exc:
        return _refused(path, Outcome(path.name, reason=exc.detail))
    if file is None:
        return None
    outcome = collect_bytes(ws, file.data, path.name, tracker, checker)
    if not outcome.accepted:
        return _refused(path, outcome)
    clear_note(path)
    if remove_if_unchanged(file):
        return outcome
    kept = "it changed while it was collected (still being written?): left for the next run"
    return replace(outcome, kept=kept)


def _refused(path: Path, outcome: Outcome) -> Outcome:
    assert outcome.reason is not None, "every refused outcome is made with its reason"
    problem = write_note(path, outcome.reason)
    if problem is None:
        return outcome
    return replace(outcome, reason=f"{outcome.reason} (and the note was not written: {problem})")

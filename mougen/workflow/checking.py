"""How a file is judged: one verification spec per workspace, and the one checker built from it.

Every entry point that judges a file (``mougen verify``, ``collect``, the web upload, the web
``/verify`` page and ``tracker rebuild``) builds its :class:`VerificationSpec` with
:func:`workspace_spec` and asks a :class:`Checker` for the :class:`Verdict`, so none of them can
trust, revoke or bind differently from another.
"""

from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from mougen import typeset
from mougen.config import Catalog
from mougen.errors import MougenError
from mougen.pki.revocation import workspace_crls
from mougen.tracker import Tracker
from mougen.verify.sandbox import Sandbox, verify_limited
from mougen.verify.status import FileReport
from mougen.verify.trust import load_crls, load_trust_roots
from mougen.verify.validate import Settings, read_pdf, verify_bytes
from mougen.verify.verdict import Verdict
from mougen.verify.workspace_trust import RegionTrust, region_trust, workspace_trust_roots
from mougen.workers import fork_context, inherit, inherited, usable_cpus
from mougen.workflow.provenance import provenance
from mougen.workspace import Workspace


@dataclass(frozen=True)
class WorkspaceRecords:
    """What a tracked workspace knows: what it issued, who is bound to which role, whose roots."""

    tracker: Tracker
    catalog: Catalog
    trust: RegionTrust

    @classmethod
    def of(cls, ws: Workspace, tracker: Tracker) -> WorkspaceRecords:
        return cls(tracker, ws.catalog, region_trust(ws))


@dataclass(frozen=True)
class VerificationSpec:
    """Everything a file is judged by, gathered once.

    ``settings`` holds the trust roots, the TSA roots, the CRLs, whether to fetch and the
    time; ``records`` the binding rules (and what was issued) of a tracked workspace, or
    None where only signatures count; ``sandbox`` the limits a file is checked under in a
    child process, or None to check it in this one.
    """

    settings: Settings
    records: WorkspaceRecords | None = None
    sandbox: Sandbox | None = None


def workspace_spec(
    ws: Workspace,
    tracker: Tracker | None = None,
    *,
    trust: Sequence[Path] = (),
    tsa_trust: Sequence[Path] = (),
    crls: Sequence[Path] = (),
    allow_fetch: bool = False,
    at: datetime | None = None,
    sandbox: Sandbox | None = None,
) -> VerificationSpec:
    """The spec for files of ``ws``: every region's trust roots and ``trust``; ``tsa_trust``
    for timestamps only; the workspace's own programme CRLs (always) and ``crls``; and, with
    a ``tracker``, the workspace's binding rules. A file that cannot be read names itself."""
    settings = Settings(
        load_trust_roots([*workspace_trust_roots(ws), *trust]),
        load_trust_roots(tsa_trust),
        load_crls([*workspace_crls(ws), *crls]),
        allow_fetch,
        at,
    )
    records = WorkspaceRecords.of(ws, tracker) if tracker is not None else None
    return VerificationSpec(settings, records, sandbox)


@dataclass(frozen=True)
class Checker:
    """The one way a file becomes a :class:`Verdict`: validated by the spec's settings (in
    its sandbox, if it has one), then, in a tracked workspace, its provenance found."""

    spec: VerificationSpec

    def check_file(self, path: Path) -> Verdict:
        """The verdict on the file at ``path`` (an unreadable file gets one too)."""
        try:
            data = read_pdf(path)
        except MougenError as exc:
            return Verdict.unreadable(str(path), exc)
        return self.check_bytes(data, str(path))

    def check_files(self, paths: Sequence[Path], jobs: int | None = None) -> list[Verdict]:
        """The verdicts on the files at ``paths``, in order, ``jobs`` at a time (default: one
        per CPU core).

        The files are validated in forked workers where that is safe (no sandbox, one
        thread, Typst not started); each one's provenance is then found here, where the
        tracker is open.
        """
        workers = min(jobs or usable_cpus(), len(paths))
        context = None
        if workers > 1 and self.spec.sandbox is None and not typeset.in_use():
            context = fork_context()
        if context is None:
            return [self.check_file(path) for path in paths]
        with ProcessPoolExecutor(
            workers, mp_context=context, initializer=inherit, initargs=(self.spec.settings,)
        ) as pool:
            outcomes = list(pool.map(_report_in_worker, paths))
        return [self._judged(str(path), found) for path, found in zip(paths, outcomes, strict=True)]

    def check_bytes(self, data: bytes, name: str) -> Verdict:
        """The verdict on a PDF already in memory (``name`` is used in messages)."""
        try:
            report = self._report(data, name)
        except MougenError as exc:
            return Verdict.unreadable(name, exc)
        return self._judged(name, report)

    def _judged(self, name: str, found: FileReport | MougenError) -> Verdict:
        """The verdict on a validated file (or one that could not be read): in a tracked
        workspace, with its provenance."""
        if isinstance(found, MougenError):
            return Verdict.unreadable(name, found)
        records = self.spec.records
        if records is None:
            return Verdict(name, found)
        held = provenance(found, records.tracker, records.catalog, records.trust)
        return Verdict(name, found, held)

    def _report(self, data: bytes, name: str) -> FileReport:
        if self.spec.sandbox is None:
            return verify_bytes(data, name, self.spec.settings)
        return verify_limited(data, name, self.spec.settings, self.spec.sandbox)


def _report_in_worker(path: Path) -> FileReport | MougenError:
    """The report on the file at ``path``, or the error that stopped it being read (an
    exception crosses back to the parent whole, with its detail and exit code)."""
    try:
        return verify_bytes(read_pdf(path), str(path), inherited(Settings))
    except MougenError as exc:
        return exc

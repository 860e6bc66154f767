"""An uploaded PDF, checked exactly as ``collect`` checks an inbox file, then filed.

This is a thin adapter over today's collect internals (``mougen.collect.collector``'s
``_collect_one`` steps: verify, ``signatures_hold``, ``issued_and_rightly_signed``,
``file_signed``, record) for one in-memory file. When collect gains a public
``collect_bytes``, :func:`check_upload` and :func:`file_upload` should call it instead.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from mougen.collect.checks import Rejection, issued_and_rightly_signed, signatures_hold
from mougen.collect.filing import file_signed
from mougen.errors import MougenError
from mougen.tracker import Tracker
from mougen.tracker.archive import signature_records
from mougen.verify import FileReport
from mougen.web.limits import verify_limited
from mougen.web.settings import WebSettings
from mougen.workspace import Workspace

PDF_MAGIC = b"%PDF-"


@dataclass(frozen=True)
class Checked:
    """An upload that passed every check: its report and the issue it belongs to."""

    data: bytes
    sha256: str
    report: FileReport
    mou: str
    authority: str

    @property
    def roles(self) -> tuple[str, ...]:
        return tuple(s.field for s in self.report.signatures)


def check_upload(
    ws: Workspace,
    tracker: Tracker,
    data: bytes,
    roots: Sequence[Path],
    settings: WebSettings,
) -> Checked:
    """The checks collect makes; raises :class:`Rejection` with the reason to show."""
    if not data.startswith(PDF_MAGIC):
        raise Rejection("this is not a PDF file")
    if len(data) > settings.upload_limit:
        raise Rejection(f"the file is larger than {settings.upload_limit_mb} MB")
    try:
        report = verify_limited(
            data,
            "upload.pdf",
            roots,
            seconds=settings.verify_seconds,
            memory_mb=settings.verify_memory_mb,
        )
    except MougenError as exc:
        raise Rejection(exc.detail) from None
    signatures_hold(report)
    issue = issued_and_rightly_signed(report, tracker, ws.catalog)
    return Checked(data, hashlib.sha256(data).hexdigest(), report, issue.mou, issue.authority)


def file_upload(ws: Workspace, tracker: Tracker, checked: Checked) -> Path:
    """Archive an accepted upload by content hash and record its signatures (idempotent)."""
    archived = file_signed(ws, checked.mou, checked.authority, checked.data)
    for record in signature_records(ws, archived, checked.data, checked.report):
        tracker.record_signature(record)
    return archived

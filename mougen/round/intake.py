"""An uploaded PDF, checked exactly as ``collect`` checks an inbox file, then filed.

Only the verification differs: an upload is verified in a child process held to a time
and memory limit. The checks after it and the filing are collect's own
(:func:`mougen.collect.accept`, then :func:`mougen.collect.file_accepted`).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from mougen.collect import Accepted, Rejection, accept
from mougen.errors import MougenError
from mougen.round.limits import verify_limited
from mougen.round.settings import WebSettings
from mougen.tracker import Tracker
from mougen.workspace import Workspace

PDF_MAGIC = b"%PDF-"


def check_upload(
    ws: Workspace,
    tracker: Tracker,
    data: bytes,
    roots: Sequence[Path],
    settings: WebSettings,
) -> Accepted:
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
    return accept(ws, tracker, data, report)

"""An uploaded PDF, checked exactly as ``collect`` checks an inbox file, then filed.

Only the verification differs: an upload is verified in a child process held to a time
and memory limit (the sandbox of the checker's spec). The checks after it and the filing
are collect's own (:func:`mougen.collect.accept`, then :func:`mougen.collect.file_accepted`).
"""

from __future__ import annotations

from mougen.collect import Accepted, Rejection, accept
from mougen.round.settings import WebSettings
from mougen.workflow.checking import Checker

PDF_MAGIC = b"%PDF-"


def check_upload(data: bytes, checker: Checker, settings: WebSettings) -> Accepted:
    """The checks collect makes, judged by ``checker`` (whose spec has the sandbox);
    raises :class:`Rejection` with the reason to show."""
    if not data.startswith(PDF_MAGIC):
        raise Rejection("this is not a PDF file")
    if len(data) > settings.upload_limit:
        raise Rejection(f"the file is larger than {settings.upload_limit_mb} MB")
    return accept(data, checker.check_bytes(data, "upload.pdf"))

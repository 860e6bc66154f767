"""Access logs without signatories' tokens: ``/sign/<token>...`` is logged as
``/sign/[redacted]...``, by gunicorn and by ``mougen serve`` alike."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from typing import Any

from werkzeug.serving import WSGIRequestHandler

_TOKEN = re.compile(r"(/sign/)[^/?#\s]+")
#: The request fields a WSGI server may write to its access log.
_LOGGED = ("RAW_URI", "REQUEST_URI", "PATH_INFO")


def redact(path: str) -> str:
    """``path`` with any signatory token replaced."""
    return _TOKEN.sub(r"\1[redacted]", path)


class RedactedLogPaths:
    """WSGI middleware: once the application has answered, the request's path in the
    environment is replaced by its redacted form, which is what gunicorn then logs."""

    def __init__(self, app: Callable[..., Iterable[bytes]]):
        self.app = app

    def __call__(self, environ: dict[str, Any], start_response: Callable) -> Iterable[bytes]:
        answer = self.app(environ, start_response)
        for key in _LOGGED:
            if isinstance(environ.get(key), str):
                environ[key] = redact(environ[key])
        return answer


class RedactingRequestHandler(WSGIRequestHandler):
    """``mougen serve``'s request handler: its log line shows the redacted path."""

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        path = getattr(self, "path", None)
        if path is not None:
            self.path = redact(path)
        super().log_request(code, size)

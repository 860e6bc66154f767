"""Logs without signatories' tokens: ``/sign/<token>...`` is logged as
``/sign/[redacted]...``, by gunicorn and by ``mougen serve`` alike, in the access log and
in the application's own error lines.

The path is also read as the router would read it (percent-decoded, repeated slashes made
one), so ``/%73ign/<token>`` and ``/sign//<token>`` are redacted too."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import unquote

from werkzeug.serving import WSGIRequestHandler

_TOKEN = re.compile(r"(/sign/)[^/?#\s]+", re.IGNORECASE)
_SLASHES = re.compile(r"/{2,}")
#: Decoded characters that must not reach a log line as they are (a decoded %0a would
#: start a forged line).
_UNPRINTABLE = re.compile(r"[^!-~\u00a0-\ud7ff\ue000-\uffff]")
#: Percent-decoding rounds tried on a path (a proxy may decode once more than we do).
_DECODINGS = 3
#: The request fields a WSGI server may write to its access log.
_LOGGED = ("RAW_URI", "REQUEST_URI", "PATH_INFO")


def redact(path: str) -> str:
    """``path`` with any signatory token replaced; when its decoded and normalised form
    holds one, that form is what is returned, redacted."""
    normalised = _normalised(path)
    if _TOKEN.search(normalised):
        return _UNPRINTABLE.sub(_escaped, _TOKEN.sub(r"\1[redacted]", normalised))
    return _TOKEN.sub(r"\1[redacted]", path)


def _escaped(match: re.Match[str]) -> str:
    # A surrogate-escaped byte (U+DC80..U+DCFF) is that byte again.
    return "".join(f"%{b:02X}" for b in match.group().encode("utf-8", "surrogateescape"))


def _normalised(path: str) -> str:
    for _ in range(_DECODINGS):
        decoded = unquote(path, errors="surrogateescape")
        if decoded == path:
            break
        path = decoded
    return _SLASHES.sub("/", path)


class RedactedTokens(logging.Filter):
    """A logging filter: a record's message keeps no signatory token, as Flask's own
    "Exception on /sign/<token>/... [POST]" line would."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if _TOKEN.search(message):
            record.msg, record.args = _TOKEN.sub(r"\1[redacted]", message), None
        return True


#: The one filter every app's logger holds (``addFilter`` adds the same object once).
REDACTED_TOKENS = RedactedTokens()


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

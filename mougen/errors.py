"""The errors a user can cause, each carrying the one line that explains it.

Every command catches :class:`MougenError` at the CLI boundary and prints its
message; nothing a user does should surface as a traceback.
"""

from __future__ import annotations

from pathlib import Path


class MougenError(Exception):
    """A problem with the user's input, reported as one line and a non-zero exit."""

    exit_code = 1

    def __init__(self, message: str, path: Path | str | None = None):
        self.path = Path(path) if path is not None else None
        self.detail = message
        super().__init__(f"{self.path}: {message}" if self.path is not None else message)


class ConfigError(MougenError):
    """A region file that is not valid YAML or does not match the schema."""


class UnknownItem(MougenError):
    """An MoU id, authority slug or role that the workspace does not know."""


class TemplateError(MougenError):
    """A Word template that cannot be rendered as it stands."""


class UnsupportedFeature(TemplateError):
    """A template feature the document model does not carry (a text box, an image...)."""


class OutputError(MougenError):
    """An output location that cannot be written."""


class PdfReadError(MougenError):
    """A file that cannot be read as a PDF."""

    exit_code = 2


class SigningError(MougenError):
    """A document, key or certificate that cannot be used to sign as asked."""


def innermost_message(exc: BaseException) -> str:
    """The message of an exception's innermost cause, which says what actually went wrong."""
    while exc.__cause__ is not None:
        exc = exc.__cause__
    return str(exc) or type(exc).__name__

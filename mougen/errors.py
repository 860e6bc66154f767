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

    def __reduce__(self) -> tuple[type[MougenError], tuple[str, Path | None]]:
        # raised in a worker or a process beside, it is raised again here as it was
        return type(self), (self.detail, self.path)


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


#: The PDF reader's (pyHanko's) words for the commonest ways a file fails to read as a PDF,
#: and what they mean to a person. ``--debug`` still shows the reader's own words.
_PDF_PROBLEMS = {
    "Illegal PDF header": "it does not begin as a PDF does",
    "EOF marker not found": "it is cut short: no end-of-file marker",
    "startxref not found": "it is cut short or damaged: no cross-reference table",
}


def pdf_problem(exc: BaseException) -> str:
    """Why a file could not be read as a PDF, in plain words rather than the reader's."""
    message = innermost_message(exc)
    for words, plain in _PDF_PROBLEMS.items():
        if message.startswith(words):
            return plain
    return "damaged, or not a PDF"


#: What a folder without regions/ is told.
NOT_A_WORKSPACE = "no regions folder here (run `mougen init DIR` to make a workspace)"

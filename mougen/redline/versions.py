"""The two sides of a redline: an MoU version rendered from the workspace, or a DOCX file."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from mougen.errors import MougenError
from mougen.render import render_authority, render_placeholder
from mougen.workspace import Workspace


@dataclass(frozen=True)
class Version:
    """One side of a comparison: what to call it and its DOCX bytes."""

    name: str
    docx: bytes


def load_version(
    ws: Workspace, spec: str, authority: str | None = None, *, when: datetime
) -> Version:
    """``spec`` as a DOCX: a file (a ``.docx`` name or any path) read as is, or an MoU id rendered.

    An MoU id is rendered for ``authority`` (a party's slug), or with placeholders for
    the authority's details when none is given, dated ``when``.
    """
    path = Path(spec)
    if spec.lower().endswith(".docx") or len(path.parts) > 1 or path.is_file():
        try:
            return Version(spec, path.read_bytes())
        except OSError as exc:
            raise MougenError(f"cannot read: {exc.strerror}", path) from None
    if authority is None:
        return Version(spec, render_placeholder(ws, spec, when=when).docx)
    return Version(spec, render_authority(ws, spec, authority, when=when).docx)

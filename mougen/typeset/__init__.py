"""Compiling a Typst template with data: the one way mougen makes a PDF.

Each template lives in ``mougen/data/typst`` and reads its data as JSON from
``sys.inputs.data``, so nothing the data holds (an authority's name, a clause) is
ever read as Typst markup. Fonts come only from ``mougen/data/fonts``, so the same
data and date give the same bytes on every machine.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import Any, Literal

import typst

from mougen.errors import MougenError

_DATA = Path(__file__).resolve().parent.parent / "data"
TEMPLATES = _DATA / "typst"
FONTS = _DATA / "fonts"
#: Every PDF declares PDF/UA-1 (which makes Typst tag it); the issued MoU adds PDF/A-2a.
Standard = Literal["a-2a", "ua-1"]
ACCESSIBLE: tuple[Standard, ...] = ("ua-1",)
ARCHIVAL: tuple[Standard, ...] = ("a-2a", "ua-1")


class LayoutError(MougenError):
    """Data that Typst could not lay out (named by the template that failed)."""


@dataclass(frozen=True)
class Typeset:
    """A compiled PDF and the values of the ``<mougen-mark>`` metadata the layout placed."""

    pdf: bytes
    marks: tuple[dict[str, Any], ...]


@cache
def _fonts() -> typst.Fonts:
    return typst.Fonts(include_system_fonts=False, font_paths=[str(FONTS)])


def in_use() -> bool:
    """Whether this process has started Typst (whose native threads do not survive fork)."""
    return _fonts.cache_info().currsize > 0


def typeset(
    template: str,
    data: Mapping[str, Any],
    *,
    when: datetime,
    standards: Sequence[Standard] = ACCESSIBLE,
) -> Typeset:
    """Compile ``template`` (a file in ``data/typst``) with ``data``, dated ``when``.

    The compiled document is then asked for its ``<mougen-mark>`` metadata, where a
    template records what Python needs back from the layout (where a field goes).
    """
    compiler = typst.Compiler(
        str(TEMPLATES / template),
        root=str(TEMPLATES),
        font_paths=_fonts(),
        ignore_system_fonts=True,
        sys_inputs={"data": json.dumps(data, ensure_ascii=False, sort_keys=True)},
    )
    try:
        pdf = compiler.compile(
            format="pdf",
            pdf_standards=list(standards),
            timestamp=when.astimezone(UTC).replace(microsecond=0),
        )
        marks = json.loads(compiler.query("<mougen-mark>", field="value", format="json"))
    except typst.TypstError as exc:
        raise LayoutError(f"cannot lay out: {exc.message}", template) from None
    if not isinstance(pdf, bytes):  # one PDF, never pages or a file, without ``output``
        raise LayoutError("Typst returned no PDF", template)
    return Typeset(pdf, tuple(marks))

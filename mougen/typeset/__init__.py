"""Compiling a Typst template with data: the one way mougen makes a PDF.

Each template lives in ``mougen/data/typst`` and reads its data as JSON from the file
that ``sys.inputs.data-file`` names, so nothing the data holds (an authority's name, a
clause) is ever read as Typst markup. Fonts come only from ``mougen/data/fonts``, so the
same data and date give the same bytes on every machine.

A process keeps one compiler per template, working in a folder of its own that holds
copies of the templates and each template's data file at a fixed path. Only the data
file's contents change between documents, so Typst's memoised layout of everything that
did not change (the fonts, the shared functions, every unchanged clause) is reused: an
MoU for its second authority compiles in less than half the time of the first.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from multiprocessing.util import Finalize
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


class _Bench:
    """One template's compiler in this process, and the fixed file its data goes in.

    A lock makes writing the data and compiling one step, for threaded servers.
    """

    def __init__(self, root: Path, template: str):
        self.data_file = root / f"{Path(template).stem}.json"
        self.lock = threading.Lock()
        self.compiler = typst.Compiler(
            str(root / template),
            root=str(root),
            font_paths=_fonts(),
            ignore_system_fonts=True,
            sys_inputs={"data-file": f"/{self.data_file.name}"},
        )


_benches: dict[tuple[int, str], _Bench] = {}
_benches_lock = threading.Lock()


def _bench(template: str) -> _Bench:
    """This process's compiler for ``template`` (a forked child makes its own)."""
    key = (os.getpid(), template)
    with _benches_lock:
        if key not in _benches:
            _benches[key] = _Bench(_workroom(os.getpid()), template)
        return _benches[key]


@cache
def _workroom(pid: int) -> Path:
    """This process's copy of the templates, removed when the process (or worker) exits.

    ``pid`` keys the cache so that a forked child does not share its parent's data files.
    """
    root = Path(tempfile.mkdtemp(prefix="mougen-typst-"))
    shutil.copytree(TEMPLATES, root, dirs_exist_ok=True)
    # multiprocessing's finalizer runs at exit in a pool worker too, where atexit does not
    Finalize(None, shutil.rmtree, args=(root,), kwargs={"ignore_errors": True}, exitpriority=0)
    return root


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
    bench = _bench(template)
    text = json.dumps(data, ensure_ascii=False, sort_keys=True)
    with bench.lock:
        bench.data_file.write_text(text, encoding="utf-8")
        try:
            pdf = bench.compiler.compile(
                format="pdf",
                pdf_standards=list(standards),
                timestamp=when.astimezone(UTC).replace(microsecond=0),
            )
            marks = json.loads(bench.compiler.query("<mougen-mark>", field="value", format="json"))
        except typst.TypstError as exc:
            raise LayoutError(f"cannot lay out: {exc.message}", template) from None
    if not isinstance(pdf, bytes):  # one PDF, never pages or a file, without ``output``
        raise LayoutError("Typst returned no PDF", template)
    return Typeset(pdf, tuple(marks))

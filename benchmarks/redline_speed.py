"""Benchmark: the redline of se-2018 -> se-2019-20, as DOCX and as PDF, best of N runs.

Both versions are rendered once with placeholders; each run then reads the two DOCX
files into the model, compares them and writes the redline. When Python-Redlines
(PyPI ``python-redlines[docxodus]``) runs here, its Docxodus engine is timed on the
same two files in the same run; otherwise the reason it cannot run is printed.

Run: .venv/bin/python benchmarks/redline_speed.py [--runs N]
Target: under 0.5 s for the DOCX redline.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from datetime import UTC, datetime

from mougen.redline import Version, load_version, render_redline
from mougen.workspace import BUNDLED, Workspace

WHEN = datetime(2026, 11, 22, tzinfo=UTC)
TARGET_S = 0.5


def best_of(runs: int, job: Callable[[], object]) -> float:
    """The fastest of ``runs`` timings of ``job``, in seconds."""
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        job()
        times.append(time.perf_counter() - start)
    return min(times)


def docxodus(old: Version, new: Version) -> Callable[[], object] | str:
    """A job running Docxodus on the two versions, or why it cannot run here."""
    try:
        from python_redlines import DocxodusEngine
    except ImportError:
        return "python-redlines is not installed (pip install 'python-redlines[docxodus]')"
    try:
        engine = DocxodusEngine()
        engine.run_redline("mougen", old.docx, new.docx, detect_moves=True)
    except Exception as exc:  # any failure of a third-party binary is a reason to report
        return f"Docxodus does not run here: {type(exc).__name__}: {exc}"
    return lambda: engine.run_redline("mougen", old.docx, new.docx, detect_moves=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10, help="runs per measurement (best taken)")
    runs = parser.parse_args().runs
    ws = Workspace(BUNDLED)
    old, new = load_version(ws, "se-2018", when=WHEN), load_version(ws, "se-2019-20", when=WHEN)

    docx_s = best_of(runs, lambda: render_redline(old, new, ".docx", when=WHEN))
    verdict = "meets" if docx_s < TARGET_S else "MISSES"
    print(
        f"mougen redline DOCX: {docx_s:.3f} s (best of {runs}; {verdict} the {TARGET_S} s target)"
    )
    pdf_s = best_of(runs, lambda: render_redline(old, new, ".pdf", when=WHEN))
    print(f"mougen redline PDF:  {pdf_s:.3f} s (best of {runs})")

    other = docxodus(old, new)
    if isinstance(other, str):
        print(f"Python-Redlines (Docxodus): not timed: {other}")
    else:
        other_s = best_of(runs, other)
        print(f"Python-Redlines (Docxodus, detect_moves): {other_s:.3f} s (best of {runs})")


if __name__ == "__main__":
    main()

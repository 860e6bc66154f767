"""Every benchmark still runs (on the smallest input it takes) and prints its figure.

The benchmarks are not run by anything else in the suite, and two of them had stopped
running when the library's signatures changed under them (the time became the caller's).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

BENCHMARKS = Path(__file__).resolve().parent.parent / "benchmarks"


@pytest.mark.parametrize(
    ("script", "args", "figure"),
    [
        ("redline_speed.py", ["--runs", "1"], "mougen redline DOCX: "),
        ("archive_extend.py", ["--files", "1"], "s per file"),
        ("verify_limits.py", ["--updates", "3", "--objects", "500"], "3 updates"),
        ("verify_throughput.py", ["--files", "1", "--runs", "1"], "files/s"),
    ],
)
def test_the_benchmark_runs_and_prints_its_figure(script, args, figure):
    done = subprocess.run(
        [sys.executable, str(BENCHMARKS / script), *args],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert figure in done.stdout

"""Benchmark: the whole national round, every party of all five MoU versions, on one core.

Prints milliseconds per pack (DOCX + PDF + cover sheet + zip) and the peak memory
of the process, then, when LibreOffice is installed, the time it takes to turn the
same rendered DOCX files into PDF with ``soffice --headless --convert-to pdf``.

Run: .venv/bin/python benchmarks/national_round.py [--soffice-sample N]
Targets: under 100 ms per pack and under 400 MB peak.
"""

from __future__ import annotations

import argparse
import resource
import shutil
import subprocess
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from mougen.pack import build_packs
from mougen.workspace import BUNDLED, Workspace

WHEN = datetime(2026, 11, 22, tzinfo=UTC)


def copy_workspace(target: Path) -> Workspace:
    for sub in ("regions", "templates"):
        shutil.copytree(BUNDLED / sub, target / sub)
    return Workspace(target)


def national_round(ws: Workspace, out: Path) -> tuple[int, float, float]:
    """Build every pack of every version serially; returns (packs, wall s, CPU s)."""
    count = 0
    wall, cpu = time.perf_counter(), time.process_time()
    for mou_id, entry in sorted(ws.catalog.entries.items()):
        count += len(build_packs(ws, mou_id, entry.mou.parties, out / mou_id, WHEN, jobs=1))
    return count, time.perf_counter() - wall, time.process_time() - cpu


def soffice_seconds(docx_files: list[Path], out: Path) -> float | None:
    """Seconds per document for LibreOffice's DOCX to PDF conversion, or None if absent."""
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        return None
    profile = out / "lo-profile"
    start = time.perf_counter()
    for docx in docx_files:
        subprocess.run(
            [
                soffice,
                f"-env:UserInstallation=file://{profile}",
                "--headless",
                "--convert-to",
                "pdf",
                "--outdir",
                str(out / "lo"),
                str(docx),
            ],
            check=True,
            capture_output=True,
            timeout=300,
        )
    return (time.perf_counter() - start) / len(docx_files)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--soffice-sample",
        type=int,
        default=5,
        help="how many rendered DOCX files to convert with LibreOffice",
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        ws = copy_workspace(root / "ws")
        build_packs(ws, "se-2018", ["kent"], root / "warm-up", WHEN)  # imports, fonts
        packs, seconds, cpu = national_round(ws, root / "packs")
        peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(
            f"mougen: {packs} packs in {seconds:.2f} s wall, {cpu:.2f} s CPU = "
            f"{1000 * seconds / packs:.1f} ms wall / {1000 * cpu / packs:.1f} ms CPU per pack "
            f"(DOCX + PDF + cover + zip), one core; peak memory {peak_mb:.0f} MB"
        )
        sample = sorted((root / "packs").glob("*/*/*.docx"))[
            :: max(1, packs // args.soffice_sample)
        ]
        per_doc = soffice_seconds(sample[: args.soffice_sample], root)
        if per_doc is None:
            print("LibreOffice: not installed, no comparison")
        else:
            print(
                f"LibreOffice: {1000 * per_doc:.0f} ms per DOCX -> PDF (soffice --headless "
                f"--convert-to pdf, {min(len(sample), args.soffice_sample)} documents, "
                "fresh process each)"
            )


if __name__ == "__main__":
    main()

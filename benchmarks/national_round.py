"""Benchmark: the national round (every party of all five MoU versions), mougen against LibreOffice.

Measures, in one run:

- the whole round as one command, ``mougen pack --all`` (process start, imports and the
  tracker included, and its default of one pack per CPU core at once);
- the round as five commands, ``mougen pack MOU_ID`` per version, as a coordinator of each
  region runs it; and per pack in-process on one core (DOCX + PDF + cover sheet + manifest + zip);
- ``mougen pack se-2018 --authority kent`` through the CLI, in a workspace whose tracker exists;
- LibreOffice turning all the rendered DOCX files into PDF in one batch process
  (``soffice --headless --convert-to pdf`` with every file on one command line);
- peak memory of the in-process round and of the largest CLI process.

Each CLI figure is printed with its CPU time (user + system, workers included) and the
load average beside it: on a shared machine, wall time measures the other load as well.
So each timed round (mougen as one command, as five commands, and LibreOffice alike) is
run ``--runs`` times, each in a new workspace or LibreOffice profile, and the best run
kept: another process's load only ever adds time, and one run of a few seconds on a
2-core machine varied by a tenth from run to run.

Run: .venv/bin/python benchmarks/national_round.py [--runs N]
Targets, per pack against LibreOffice's batch time per document: the round as one command at
most 0.33, as five commands at most 0.6; a single-authority ``mougen pack`` under 0.5 s; peak
memory under 400 MB.
"""

from __future__ import annotations

import argparse
import compileall
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import mougen
from mougen.pack import build_packs
from mougen.workers import usable_cpus
from mougen.workspace import BUNDLED, Workspace

WHEN = datetime(2026, 11, 22, tzinfo=UTC)


def copy_workspace(target: Path) -> Workspace:
    for sub in ("regions", "templates"):
        shutil.copytree(BUNDLED / sub, target / sub)
    (target / "signed").mkdir()
    return Workspace(target)


def in_process_round(ws: Workspace, out: Path) -> tuple[int, float, float]:
    """Build every pack of every version serially; returns (packs, wall s, CPU s)."""
    count = 0
    wall, cpu = time.perf_counter(), time.process_time()
    for mou_id, entry in sorted(ws.catalog.entries.items()):
        count += len(build_packs(ws, mou_id, entry.mou.parties, out / mou_id, WHEN, jobs=1))
    return count, time.perf_counter() - wall, time.process_time() - cpu


def cli_pack(ws: Workspace, mou_id: str, out: Path, *slugs: str) -> float:
    """Wall seconds for one ``mougen pack`` process (``mou_id`` may be ``--all``); its CPU
    seconds (user + system, workers included) are added to ``CPU_SPENT[mou_id]``."""
    args = [sys.executable, "-m", "mougen", "pack", mou_id, "-o", str(out), "--date", "2026-11-22"]
    for slug in slugs:
        args += ["--authority", slug]
    env = {**os.environ, "MOUGEN_WORKSPACE": str(ws.root)}
    cpu = children_cpu()
    start = time.perf_counter()
    subprocess.run(args, check=True, capture_output=True, env=env)
    seconds = time.perf_counter() - start
    CPU_SPENT[mou_id] = CPU_SPENT.get(mou_id, 0.0) + children_cpu() - cpu
    return seconds


#: CPU seconds spent by the ``mougen pack`` processes, by their first argument. On a
#: loaded machine wall time measures the other load as much as mougen; CPU time does not.
CPU_SPENT: dict[str, float] = {}


def children_cpu() -> float:
    """User + system CPU seconds of this process's finished children so far."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def cli_round(ws: Workspace, out: Path) -> tuple[int, float, dict[str, float]]:
    """``mougen pack`` of each version through the CLI: (packs, total s, s per pack by version)."""
    per_pack, total, count = {}, 0.0, 0
    for mou_id, entry in sorted(ws.catalog.entries.items()):
        seconds = cli_pack(ws, mou_id, out / mou_id)
        per_pack[mou_id] = seconds / len(entry.mou.parties)
        total += seconds
        count += len(entry.mou.parties)
    return count, total, per_pack


def soffice_batch(docx_files: list[Path], out: Path) -> float | None:
    """Seconds per document for one LibreOffice process converting every file, or None."""
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        return None
    profile = (out / "lo-profile").as_uri()
    convert = ["--headless", "--convert-to", "pdf", "--outdir", str(out / "lo")]
    cpu = children_cpu()
    start = time.perf_counter()
    subprocess.run(
        [soffice, f"-env:UserInstallation={profile}", *convert, *map(str, docx_files)],
        check=True,
        capture_output=True,
        timeout=1800,
    )
    seconds = time.perf_counter() - start
    CPU_SPENT["soffice"] = CPU_SPENT.get("soffice", 0.0) + children_cpu() - cpu
    converted = len(list((out / "lo").glob("*.pdf")))
    if converted != len(docx_files):
        raise SystemExit(f"LibreOffice converted {converted} of {len(docx_files)} files")
    return seconds / len(docx_files)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--runs", type=int, default=3, help="runs of each timed round; the best is kept"
    )
    runs = parser.parse_args().runs
    # mougen as installed: scripts/setup.sh compiles its modules, and one edited since
    # would be compiled again by every timed command where bytecode is not written back
    compileall.compile_dir(Path(mougen.__file__).parent, quiet=1)
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        ws = copy_workspace(root / "ws")
        build_packs(ws, "se-2018", ["kent"], root / "warm-up", WHEN)  # imports, fonts
        packs, seconds, cpu = in_process_round(ws, root / "packs")
        peak_self = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(
            f"in-process: {packs} packs in {seconds:.2f} s wall, {cpu:.2f} s CPU = "
            f"{1000 * seconds / packs:.0f} ms wall / {1000 * cpu / packs:.0f} ms CPU per pack "
            f"(DOCX + PDF + cover + manifest + zip); peak memory {peak_self:.0f} MB"
        )
        one_command = (
            min(
                cli_pack(copy_workspace(root / f"one-{n}"), "--all", root / f"one-packs-{n}")
                for n in range(runs)
            )
            / packs
        )
        one_cpu = CPU_SPENT["--all"] / runs / packs
        print(
            f"CLI, one command (pack --all), best of {runs}: {packs} packs, "
            f"{1000 * one_command:.0f} ms per pack ({1000 * one_cpu:.0f} ms CPU per pack on "
            f"average); load {os.getloadavg()[0]:.1f}"
        )
        rounds = [
            cli_round(copy_workspace(root / f"cli-{n}"), root / f"cli-packs-{n}")
            for n in range(runs)
        ]
        count, total, per_version = min(rounds, key=lambda r: r[1])
        cli_per_doc = total / count
        five_cpu = sum(CPU_SPENT[m] for m in per_version) / runs / count
        print(
            f"CLI, five commands, best of {runs}: {count} packs in {total:.2f} s = "
            f"{1000 * cli_per_doc:.0f} ms ({1000 * five_cpu:.0f} ms CPU on average) per pack; "
            + ", ".join(f"{m} {1000 * s:.0f} ms" for m, s in per_version.items())
            + f"; load {os.getloadavg()[0]:.1f}"
        )
        # as a coordinator packs: in a workspace whose tracker exists (the round made it)
        cli_ws = Workspace(root / "cli-0")
        kent_cpu = CPU_SPENT.get("se-2018", 0.0)
        single = min(cli_pack(cli_ws, "se-2018", root / f"single-{n}", "kent") for n in range(3))
        kent_cpu = (CPU_SPENT["se-2018"] - kent_cpu) / 3
        # the first command of a new workspace also creates the tracker (once)
        first = cli_pack(ws, "se-2018", root / "first", "kent")
        peak_cli = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        print(
            f"CLI: mougen pack se-2018 --authority kent in {single:.2f} s, best of 3"
            f" ({kent_cpu:.2f} s CPU on average; target < 0.5 s); {first:.2f} s as a new"
            f" workspace's first command, which creates its tracker; load {os.getloadavg()[0]:.1f}"
        )
        print(f"peak memory: {max(peak_self, peak_cli):.0f} MB (target < 400 MB)")
        print(f"cores: {usable_cpus()}")
        docx_files = sorted((root / "packs").glob("*/*/*.docx"))
        batches = [soffice_batch(docx_files, root / f"lo-{n}") for n in range(runs)]
        if None in batches:
            print("LibreOffice: not installed, no comparison")
            return
        per_doc = min(b for b in batches if b is not None)
        print(
            f"LibreOffice, best of {runs}: {1000 * per_doc:.0f} ms per DOCX -> PDF "
            f"({len(docx_files)} documents in one soffice --headless --convert-to pdf process);"
            f" mougen per pack is {one_command / per_doc:.2f}x that as one command (target at"
            f" most 0.33x), {cli_per_doc / per_doc:.2f}x as five commands (target at most 0.6x)"
        )
        lo_cpu = CPU_SPENT["soffice"] / runs / len(docx_files)
        print(
            f"In CPU time: LibreOffice {1000 * lo_cpu:.0f} ms per document; mougen per pack is "
            f"{one_cpu / lo_cpu:.2f}x that as one command, {five_cpu / lo_cpu:.2f}x as five "
            f"commands; load {os.getloadavg()[0]:.1f}"
        )


if __name__ == "__main__":
    main()

"""Benchmark: verifying signed MoUs offline, mougen verify against ``pyhanko sign validate``.

Renders the se-2018 MoU for Milton Keynes, issues the three signatories certificates from a
programme CA and signs all three fields with ``mougen.signing``; copies that PDF 100 times
and verifies every copy in this one process (all three signatures, difference analysis,
trust), then with one ``mougen verify`` command over all the copies (one worker per core,
process start included), then with pyHanko's own CLI (``pyhanko sign validate``, from
pyhanko-cli) on each file in turn. It prints each rate in files per second, mougen's CPU time
per file, and the machine's load average beside them (the rate is wall time, which other
work on the machine slows; the CPU time is what one file costs). Each mougen figure is
the best of ``--runs`` runs, as another process's load only ever slows a run; pyHanko's
CLI, ten times slower, runs once.

Run: .venv/bin/python benchmarks/verify_throughput.py [--files N] [--runs N]
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from mougen.clock import wall_clock
from mougen.pki import configured_signatory, init_ca, issue_certificate, load_ca, write_pkcs12
from mougen.render import render_authority
from mougen.roles import ROLE_IDS
from mougen.signing import load_pkcs12, sign_pdf
from mougen.verify.trust import load_trust_roots
from mougen.verify.validate import Settings, verify_bytes
from mougen.workspace import BUNDLED, Workspace

REGION, MOU, AUTHORITY = "south-east", "se-2018", "milton-keynes"
PASSPHRASE = b"benchmark only"  # throwaway keys made for this run


def signed_mou(root: Path) -> tuple[Path, Path]:
    """A fully signed MoU and the CA certificate it chains to, made in ``root``."""
    for sub in ("regions", "templates"):
        shutil.copytree(BUNDLED / sub, root / sub)
    ws = Workspace(root)
    now = wall_clock()
    ca_cert = init_ca(ws, REGION, PASSPHRASE, now)
    ca = load_ca(ws, REGION, PASSPHRASE)
    pdf = root / "issued.pdf"
    pdf.write_bytes(render_authority(ws, MOU, AUTHORITY, when=now).pdf)
    for role in ROLE_IDS:
        _, who = configured_signatory(ws, AUTHORITY, role, name=f"{role} signatory")
        p12 = root / f"{role}.p12"
        write_pkcs12(issue_certificate(ca, who, when=now), p12, PASSPHRASE)
        out = root / f"{role}.pdf"
        sign_pdf(pdf, role, load_pkcs12(p12, PASSPHRASE), out, when=now)
        pdf = out
    return pdf, ca_cert


def time_mougen(files: list[Path], ca_cert: Path) -> tuple[float, float]:
    """Files per second through ``verify_bytes``, and CPU seconds per file; every file must
    be fully executed."""
    roots = load_trust_roots([ca_cert])
    start, cpu = time.perf_counter(), time.process_time()
    for path in files:
        report = verify_bytes(path.read_bytes(), str(path), Settings(roots))
        if not report.fully_executed:
            sys.exit(f"benchmark: mougen rejected {path}: {report.to_json()}")
    cpu = time.process_time() - cpu
    return len(files) / (time.perf_counter() - start), cpu / len(files)


def time_mougen_cli(files: list[Path], ca_cert: Path, workspace: Path) -> float:
    """Files per second through one ``mougen verify`` command over every file (process start
    included), which checks them in one worker per CPU core."""
    cmd = [sys.executable, "-m", "mougen", "--workspace", str(workspace), "verify"]
    start = time.perf_counter()
    done = subprocess.run(
        [*cmd, "--trust", str(ca_cert), *map(str, files)], capture_output=True, text=True
    )
    if done.returncode != 0:
        sys.exit(f"benchmark: mougen verify failed: {done.stdout[-2000:]}{done.stderr}")
    return len(files) / (time.perf_counter() - start)


def time_pyhanko_cli(files: list[Path], ca_cert: Path) -> float:
    """Files per second through one ``pyhanko sign validate`` process per file."""
    pyhanko = Path(sys.executable).with_name("pyhanko")
    cmd = [str(pyhanko), "sign", "validate", "--no-strict-syntax", "--trust-replace"]
    start = time.perf_counter()
    for path in files:
        done = subprocess.run(
            [*cmd, "--trust", str(ca_cert), str(path)], capture_output=True, text=True
        )
        if done.returncode != 0:
            sys.exit(f"benchmark: pyhanko rejected {path}: {done.stdout}{done.stderr}")
    return len(files) / (time.perf_counter() - start)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=100)
    parser.add_argument(
        "--runs", type=int, default=3, help="runs of each mougen figure; the best is kept"
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        signed, ca_cert = signed_mou(root / "ws")
        files = []
        for i in range(args.files):
            copy = root / f"copy-{i:03}.pdf"
            shutil.copyfile(signed, copy)
            files.append(copy)
        mougen_load = os.getloadavg()[0]
        mougen_rate, mougen_cpu = max(time_mougen(files, ca_cert) for _ in range(args.runs))
        command_load = os.getloadavg()[0]
        command_rate = max(time_mougen_cli(files, ca_cert, root / "ws") for _ in range(args.runs))
        pyhanko_load = os.getloadavg()[0]
        pyhanko_rate = time_pyhanko_cli(files, ca_cert)
    print(
        f"{args.files} PDFs, 3 signatures each, offline, {os.cpu_count()} cores"
        f" (mougen: best of {args.runs} runs; pyHanko's CLI: one run):"
    )
    print(
        f"  mougen verify (one process):          {mougen_rate:7.1f} files/s"
        f"  ({mougen_cpu * 1000:.0f} ms CPU per file, load {mougen_load:.2f})"
    )
    print(
        f"  mougen verify FILE... (one command):  {command_rate:7.1f} files/s"
        f"  (one worker per core, process start included; load {command_load:.2f})"
    )
    print(
        f"  pyhanko sign validate (per file CLI): {pyhanko_rate:7.1f} files/s"
        f"  (load {pyhanko_load:.2f})"
    )


if __name__ == "__main__":
    main()

"""Benchmark: ``archive extend``, seconds per archived file.

Issues Milton Keynes' three signatories programme certificates, signs the se-2018 MoU at
PAdES B-LTA through a local TSA whose certificate expires in ten days (the test suite's
trust services on 127.0.0.1: TSA, OCSP responder, CRL repository), and files that PDF in the
archive under N of the MoU's parties. Then the TSA renews its certificate and
``extend_archive`` adds a fresh document timestamp, with its validation data, to every file;
each one fetches an OCSP response and a timestamp over HTTP from the local services.

Run: .venv/bin/python benchmarks/archive_extend.py [--files N]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

# the test suite's programme and trust services live in tests/, beside benchmarks/
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from mougen.archival.extend import extend_archive
from mougen.clock import wall_clock
from mougen.tracker import Tracker
from mougen.workflow.filing import file_signed
from tests.programme import MOU, make_programme
from tests.trust_services import TrustServices


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=10, help="archived files to extend")
    n = parser.parse_args().files
    with tempfile.TemporaryDirectory() as tmp, TrustServices(timedelta(days=10)) as services:
        programme = make_programme(Path(tmp), services)
        signed = programme.sign_all(
            Path(tmp), "--level", "B-LTA", "--tsa", services.tsa_url, "--allow-fetch"
        )
        parties = programme.ws.catalog.mou(MOU).mou.parties[:n]
        for authority in parties:
            file_signed(programme.ws, MOU, authority, signed.read_bytes())
        services.rotate_tsa(timedelta(days=3650))
        with Tracker.open(programme.ws.db_url) as tracker:
            start = time.perf_counter()
            outcome = extend_archive(
                programme.ws, tracker, when=wall_clock(), before=timedelta(days=30)
            )
            elapsed = time.perf_counter() - start
    if outcome.problems or len(outcome.extended) != len(parties):
        sys.exit(f"benchmark: extended {len(outcome.extended)} of {len(parties)}: {outcome}")
    per_file = elapsed / len(parties)
    print(f"archive extend: {len(parties)} files in {elapsed:.2f} s, {per_file:.2f} s per file")


if __name__ == "__main__":
    main()

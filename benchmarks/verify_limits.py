"""Benchmark: the cost of verifying hostile files, in time and peak memory.

Signs the se-2018 MoU for Milton Keynes with three programme certificates (as
``verify_throughput.py`` does), then makes two hostile variants of it:

* 1,000 incremental updates appended after the last signature, each adding one small object;
* one update holding 200,000 objects in object streams.

Each file is verified in a fresh process (so its peak memory is its own), printing the wall
time, the peak resident memory and the verdict's first line.

Run: .venv/bin/python benchmarks/verify_limits.py [--updates N] [--objects N]
"""

from __future__ import annotations

import argparse
import io
import subprocess
import sys
import tempfile
from pathlib import Path

from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader

sys.path.insert(0, str(Path(__file__).resolve().parent))
from verify_throughput import signed_mou  # a sibling script, not a package

# Run in a child process: verify one file, print seconds, peak RSS (MiB) and the verdict.
# The peak is the kernel's high-water mark for the child's own memory (VmHWM): unlike
# ru_maxrss, it does not carry over the parent's peak across exec.
_MEASURE = """
import re, sys, time
from pathlib import Path
from mougen.errors import MougenError
from mougen.verify.trust import load_trust_roots
from mougen.verify.validate import Settings, verify_bytes
data = open(sys.argv[1], 'rb').read()
roots = load_trust_roots([Path(sys.argv[2])])
start = time.perf_counter()
try:
    report = verify_bytes(data, sys.argv[1], Settings(roots))
    verdict = 'valid' if report.fully_executed else 'not valid: ' + '; '.join(
        getattr(report, 'problems', [])
        + [f'{s.field} {s.sub_indication}' for s in report.signatures if not s.passed])
except MougenError as exc:
    verdict = 'refused: ' + exc.detail
took = time.perf_counter() - start
status = open('/proc/self/status').read()
peak = int(re.search(r'VmHWM:\\s+(\\d+) kB', status).group(1)) / 1024
print(f'{took:.2f} s, peak {peak:.0f} MiB, {verdict}')
"""


def with_updates(pdf: bytes, count: int) -> bytes:
    """``pdf`` plus ``count`` incremental updates, each a classic xref section adding one
    unreferenced object (written directly: re-reading the file for each would be quadratic)."""
    reader = PdfFileReader(io.BytesIO(pdf), strict=False)
    size = int(reader.trailer["/Size"])
    root = reader.trailer.raw_get("/Root")
    prev = reader.last_startxref
    out = bytearray(pdf)
    for i in range(count):
        offset = len(out) + 1
        out += b"\n%d 0 obj\n<< /Note (update %d) >>\nendobj\n" % (size, i)
        xref = len(out)
        out += b"xref\n%d 1\n%010d 00000 n \n" % (size, offset)
        out += b"trailer\n<< /Size %d /Root %d %d R /Prev %d >>\n" % (
            size + 1,
            root.idnum,
            root.generation,
            prev,
        )
        out += b"startxref\n%d\n%%%%EOF" % xref
        prev, size = xref, size + 1
    return bytes(out)


def with_object_streams(pdf: bytes, count: int) -> bytes:
    """``pdf`` plus one update holding ``count`` small objects in object streams (pyHanko's
    writer puts at most 65,535 in one)."""
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf), strict=False)
    writer.stream_xrefs = True  # object streams need a cross-reference stream
    for i in range(count):
        if i % 50_000 == 0:
            stream = writer.prepare_object_stream()
        writer.add_object(generic.NumberObject(i), obj_stream=stream)
    writer.update_root()  # an update with nothing else changed would not be written
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def measure(path: Path, ca_cert: Path) -> str:
    done = subprocess.run(
        [sys.executable, "-c", _MEASURE, str(path), str(ca_cert)],
        capture_output=True,
        text=True,
        check=False,
    )
    return (done.stdout or done.stderr).strip().splitlines()[-1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--updates", type=int, default=1000)
    parser.add_argument("--objects", type=int, default=200_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        signed, ca_cert = signed_mou(root)
        pdf = signed.read_bytes()
        cases = {
            "signed MoU": pdf,
            f"{args.updates} updates": with_updates(pdf, args.updates),
            f"{args.objects} objects": with_object_streams(pdf, args.objects),
        }
        for name, data in cases.items():
            path = root / f"{name.replace(' ', '-')}.pdf"
            path.write_bytes(data)
            print(f"{name:>16} ({len(data) / 1e6:.1f} MB): {measure(path, ca_cert)}", flush=True)


if __name__ == "__main__":
    main()

"""Benchmark: concurrent signatory uploads and /verify checks against the web service.

Starts the service as production runs it (gunicorn, two workers) on 127.0.0.1, invites the
DCS of N South East authorities (mail to the outbox), signs each copy beforehand, and then
sends, C at a time, every signed file TWICE through its signatory link (two signatories'
browsers racing, or a double click), plus one /verify check of each. Prints requests per
second and p50/p95 latency per kind, then shows that nothing was lost or counted twice:
N DCS signatures, N links used, N Lead Member invitations, and every upload answered 200
recorded (the second of a pair that arrives after the first was accepted finds its link
used, and gets the same 404 as an unknown link).

Run: .venv/bin/python benchmarks/web_load.py [-n 8] [-c 4] [--db URL]
"""

from __future__ import annotations

import argparse
import http.cookiejar
import re
import statistics
import sys
import tempfile
import time
import urllib.request
import uuid
from concurrent.futures import ThreadPoolExecutor
from email import message_from_bytes, policy
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from mougen.round.records import Actor
from mougen.round.signing_round import SigningRound
from mougen.round.store import RoundStore
from mougen.tracker import Tracker
from mougen.workspace import Workspace
from tests.conftest import BUNDLED
from tests.webround import MOU, add_signatory_emails, email, programme_signers
from tests.webserver import Gunicorn, free_port


def _workspace(root: Path, n: int, db: str | None) -> tuple[Workspace, list[str]]:
    import shutil

    for sub in ("regions", "templates"):
        shutil.copytree(BUNDLED / sub, root / sub)
    (root / "signed").mkdir()
    ws = Workspace(root, db)
    slugs = ws.catalog.mou(MOU).mou.parties[:n]
    add_signatory_emails(ws, tuple(slugs))
    return Workspace(root, db), slugs


def _links(ws: Workspace) -> dict[str, str]:
    """The signing path in each invitation in the outbox, by recipient."""
    links = {}
    for path in sorted((ws.root / "outbox").glob("*.eml")):
        message = message_from_bytes(path.read_bytes(), policy=policy.default)
        found = re.search(r"/sign/(\S+)", message.get_content())
        links[str(message["To"])] = f"/sign/{found.group(1)}"
    return links


def _post_file(base: str, path: str, pdf: bytes, extra: dict[str, str]) -> tuple[float, int]:
    """GET the form (for its CSRF token and session), POST the file; (seconds, status)."""
    opener = urllib.request.build_opener(
        urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
    )
    started = time.perf_counter()
    page = opener.open(base + path, timeout=300).read().decode()
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    boundary = uuid.uuid4().hex
    parts = [
        f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'.encode()
        for k, v in {"csrf_token": token, **extra}.items()
    ]
    parts.append(
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="s.pdf"\r\n'
        "Content-Type: application/pdf\r\n\r\n".encode()
        + pdf
        + b"\r\n"
    )
    body = b"".join(parts) + f"--{boundary}--\r\n".encode()
    kind = f"multipart/form-data; boundary={boundary}"
    request = urllib.request.Request(base + path, data=body, headers={"Content-Type": kind})
    try:
        status = opener.open(request, timeout=300).status
    except urllib.error.HTTPError as exc:
        status = exc.code
    return time.perf_counter() - started, status


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=8, help="authorities (default 8, at most 19)")
    parser.add_argument("-c", type=int, default=4, help="requests at once (default 4)")
    parser.add_argument("--db", help="tracker URL (default: SQLite in the workspace)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        ws, slugs = _workspace(Path(tmp) / "ws", args.n, args.db)
        signers = programme_signers(ws, Path(tmp) / "keys", tuple(slugs))
        with Tracker.open(ws.db_url) as tracker:
            SigningRound(ws, tracker).invite(MOU, slugs, Actor("benchmark", None))
        links = _links(ws)
        signed = {}
        for slug in slugs:
            path = links[email(slug, "dcs")]
            issued = Path(tmp) / f"{slug}.pdf"
            with Tracker.open(ws.db_url) as tracker:
                state = SigningRound(ws, tracker).state(MOU, slug)
            issued.write_bytes(
                (ws.issued_dir / MOU / slug / f"{state.document_sha256}.pdf").read_bytes()
            )
            out = signers.sign(issued, slug, "dcs", Path(tmp) / f"{slug}-dcs.pdf")
            signed[slug] = (path, out.read_bytes())
        server = Gunicorn(ws, ws.db_url, free_port())
        jobs = [("upload", p, pdf, {}) for p, pdf in signed.values() for _ in range(2)]
        jobs += [("verify", "/verify", pdf, {"check": ""}) for _, pdf in signed.values()]
        try:
            # One check per worker first: each worker's verifier process loads pyHanko once.
            warm = next(iter(signed.values()))[1]
            with ThreadPoolExecutor(2) as pool:
                list(pool.map(lambda _: _post_file(server.url, "/verify", warm, {}), range(2)))
            started = time.perf_counter()
            with ThreadPoolExecutor(args.c) as pool:
                results = list(
                    pool.map(lambda j: (j[0], *_post_file(server.url, j[1], j[2], j[3])), jobs)
                )
            wall = time.perf_counter() - started
        finally:
            server.stop()
        _report(results, wall, args)
        _check(ws, slugs, sum(1 for k, _, status in results if k == "upload" and status == 200))


def _report(results, wall: float, args) -> None:
    print(f"{len(results)} requests, {args.c} at a time, 2 gunicorn workers: "
          f"{len(results) / wall:.1f} requests/s ({wall:.1f} s)")  # fmt: skip
    for kind in ("upload", "verify"):
        times = sorted(t for k, t, _ in results if k == kind)
        p95 = times[max(0, round(0.95 * len(times)) - 1)]
        statuses = sorted({s for k, _, s in results if k == kind})
        print(f"  {kind:6}: {len(times)} requests, p50 {statistics.median(times) * 1000:.0f} ms, "
              f"p95 {p95 * 1000:.0f} ms, HTTP {statuses}")  # fmt: skip


def _check(ws: Workspace, slugs: list[str], answered: int) -> None:
    """Each authority signed once, and every upload the server answered is on record (the
    second of a pair either raced the first and was accepted too, or found the link used)."""
    with Tracker.open(ws.db_url) as tracker:
        signatures = [s for s in tracker.signatures(MOU) if s.role == "dcs"]
        store = RoundStore(tracker)
        used = [link for link in store.links(MOU) if link.role == "dcs" and link.accepted_at]
        invited = [e for e in store.emails() if e.recipient.startswith("lead-member@")]
        uploads = store.uploads(MOU)
        chain = tracker.verify_log()
    n = len(slugs)
    print(f"  DCS signatures recorded {len(signatures)} (want {n}), links used {len(used)} "
          f"(want {n}), Lead Member invitations {len(invited)} (want {n}), uploads recorded "
          f"{len(uploads)} (want {answered}, the uploads answered 200)")  # fmt: skip
    print(f"  audit chain: {'; '.join(chain) or 'intact'}")
    ok = (len(signatures), len(used), len(invited), len(uploads)) == (n, n, n, answered)
    print("  nothing lost, nothing counted twice" if ok and not chain else "  MISMATCH")
    if not ok or chain:
        sys.exit(1)


if __name__ == "__main__":
    main()

"""Benchmark: concurrent signatory uploads and /verify checks against the web service.

Starts the service as production runs it (gunicorn, two workers) on 127.0.0.1, invites the
DCS of N South East authorities (mail to the outbox), signs each copy beforehand, and then
sends, C at a time, every signed file TWICE through its signatory link (two signatories'
browsers racing, or a double click), plus one /verify check of each. Prints requests per
second and p50/p95 latency per kind, then shows that nothing was lost or counted twice:
N DCS signatures, N links used, N Lead Member invitations, and every upload answered 200
recorded (the second of a pair that arrives after the first was accepted finds its link
used, and gets the same 404 as an unknown link).

With ``--flood F``, it then floods ``/verify`` with F uploads at a time from one address
(the per-address limit raised so the pool itself is what holds) while the Lead Member of the
first authority uploads their signed file, and shows that the signatory is served in under
5 s, that verification's memory stays under its ceiling ((``verify_workers`` + the slot
reserved for uploads on links and by coordinators) x ``verify_memory_mb``; the peak
resident memory of the gunicorn tree over its idle size), and
that every check answered 200 is counted once while the rest get 503 with Retry-After.

With ``--remote``, N signatories sign remotely instead (``web_load_remote.py``): the DCS
of N authorities, keys in a SoftHSM2 token, each asking for a code and signing, all at once
(or arriving evenly over ``--spread`` seconds).

Run: .venv/bin/python benchmarks/web_load.py [-n 8] [-c 4] [--db URL] [--flood 45]
[--remote [--spread S]]
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

from benchmarks.web_load_remote import run_remote
from mougen.round.records import Actor
from mougen.round.settings import RESERVED_SLOTS
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
    parser.add_argument(
        "-n", type=int, default=8, help="authorities (default 8; at most 19, 52 with --remote)"
    )
    parser.add_argument("-c", type=int, default=4, help="requests at once (default 4)")
    parser.add_argument("--db", help="tracker URL (default: SQLite in the workspace)")
    parser.add_argument("--flood", type=int, default=0, help="/verify uploads at once (45)")
    parser.add_argument("--remote", action="store_true", help="N signatories sign remotely")
    parser.add_argument(
        "--spread", type=float, default=0.0, help="--remote: arrivals spread over S seconds"
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        if args.remote:
            sys.exit(0 if run_remote(Path(tmp) / "ws", args.n, args.db, args.spread) else 1)
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
        (ws.root / "web.toml").write_text(f"verify_per_address = {FLOOD_LIMIT}\n")
        server = Gunicorn(ws, ws.db_url, free_port(), threads=THREADS)
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
            flooded = _flood(ws, server, signers, slugs[0], args.flood) if args.flood else True
        finally:
            server.stop()
        _report(results, wall, args)
        rejected = sum(1 for k, _, status in results if k == "upload" and status == 422)
        _check(ws, slugs, rejected)
        if not flooded:
            sys.exit(1)


def _report(results, wall: float, args) -> None:
    print(f"{len(results)} requests, {args.c} at a time, 2 gunicorn workers x {THREADS} threads: "
          f"{len(results) / wall:.1f} requests/s ({wall:.1f} s)")  # fmt: skip
    for kind in ("upload", "verify"):
        times = sorted(t for k, t, _ in results if k == kind)
        p95 = times[max(0, round(0.95 * len(times)) - 1)]
        statuses = sorted({s for k, _, s in results if k == kind})
        print(f"  {kind:6}: {len(times)} requests, p50 {statistics.median(times) * 1000:.0f} ms, "
              f"p95 {p95 * 1000:.0f} ms, HTTP {statuses}")  # fmt: skip


def _check(ws: Workspace, slugs: list[str], rejected: int) -> None:
    """Each authority signed once, and every upload is on record: one accepted per link, and
    the second of a pair refused (422, recorded) or turned away at its used link (404)."""
    with Tracker.open(ws.db_url) as tracker:
        signatures = [s for s in tracker.signatures(MOU) if s.role == "dcs"]
        store = RoundStore(tracker)
        used = [link for link in store.links(MOU) if link.role == "dcs" and link.accepted_at]
        invited = [e for e in store.emails() if e.recipient.startswith("lead-member@")]
        uploads = [u for u in store.uploads(MOU) if u.accepted and u.role == "dcs"]
        refused = [u for u in store.uploads(MOU) if not u.accepted and u.role == "dcs"]
        chain = tracker.verify_log()
    n = len(slugs)
    print(f"  DCS signatures recorded {len(signatures)} (want {n}), links used {len(used)} "
          f"(want {n}), Lead Member invitations {len(invited)} (want {n}), uploads accepted "
          f"{len(uploads)} (want {n}), refused {len(refused)} "
          f"(want {rejected}: the 422s)")  # fmt: skip
    print(f"  audit chain: {'; '.join(chain) or 'intact'}")
    found = (len(signatures), len(used), len(invited), len(uploads), len(refused))
    ok = found == (n, n, n, n, rejected)
    print("  nothing lost, nothing counted twice" if ok and not chain else "  MISMATCH")
    if not ok or chain:
        sys.exit(1)


#: Threads per gunicorn worker, as the README advises: a worker waiting on a verification
#: slot, or checking a file, leaves its other threads free for signatories.
THREADS = 8
#: The per-address limit for the flood: high, so the pool of slots is what holds it back.
FLOOD_LIMIT = 100_000


def _tree_rss_mb(server: Gunicorn) -> float:
    """The resident memory of the server's processes, in MB (from /proc)."""
    total = 0
    for pid in server.processes():
        try:
            status = Path(f"/proc/{pid}/status").read_text()
        except OSError:
            continue
        found = re.search(r"VmRSS:\s+(\d+) kB", status)
        total += int(found.group(1)) if found else 0
    return total / 1024


def _flood(ws: Workspace, server: Gunicorn, signers, slug: str, flood: int) -> bool:
    """F /verify uploads at once, 3 rounds, while the Lead Member of ``slug`` signs."""
    from mougen.round.settings import load_settings

    settings = load_settings(ws.root)
    idle = _tree_rss_mb(server)
    link = _links(ws)[email(slug, "lead-member")]
    with Tracker.open(ws.db_url) as tracker:
        state = SigningRound(ws, tracker).state(MOU, slug)
    current = ws.signed_dir / MOU / slug / f"{state.document_sha256}.pdf"
    tmp = Path(tempfile.mkdtemp())
    lead = signers.sign(current, slug, "lead-member", tmp / "lm.pdf").read_bytes()
    heavy = current.read_bytes()
    peak, done, before = idle, False, _checks_counted(ws)

    def sample() -> None:
        nonlocal peak
        while not done:
            peak = max(peak, _tree_rss_mb(server))
            time.sleep(0.05)

    with ThreadPoolExecutor(flood + 2) as pool:
        sampler = pool.submit(sample)
        checks = [
            pool.submit(_post_file, server.url, "/verify", heavy, {"check": ""})
            for _ in range(flood * 3)
        ]
        time.sleep(1)  # the flood is under way
        signatory = pool.submit(_post_file, server.url, link, lead, {}).result()
        answers = [c.result() for c in checks]
        done = True
        sampler.result()
    counted = _checks_counted(ws) - before
    served = sum(1 for _, status in answers if status == 200)
    busy = sum(1 for _, status in answers if status == 503)
    ceiling = settings.verify_ceiling_mb
    print(f"/verify flood: {len(answers)} uploads, {flood} at a time: {served} checked, {busy} "
          f"told 503 + Retry-After, other {len(answers) - served - busy}; "
          f"p50 {statistics.median(t for t, _ in answers) * 1000:.0f} ms")  # fmt: skip
    print(f"  the Lead Member's upload meanwhile: HTTP {signatory[1]} in {signatory[0]:.2f} s "
          f"(want 200 in < 5 s)")  # fmt: skip
    print(f"  memory: gunicorn tree idle {idle:.0f} MB, peak {peak:.0f} MB: verification took "
          f"{peak - idle:.0f} MB (ceiling {ceiling} MB = ({settings.verify_workers} + "
          f"{RESERVED_SLOTS} reserved) x "
          f"{settings.verify_memory_mb} MB)")  # fmt: skip
    print(f"  checks counted {counted} (want {served}, each check answered 200)")
    ok = signatory[1] == 200 and signatory[0] < 5 and peak - idle < ceiling
    return ok and counted == served


def _checks_counted(ws: Workspace) -> int:
    with Tracker.open(ws.db_url) as tracker:
        store = RoundStore(tracker)
        return sum(sum(store.counts(n).values()) for n in ("verified-valid", "verified-not-valid"))


if __name__ == "__main__":
    main()

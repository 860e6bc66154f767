"""The remote-signing part of ``web_load.py``: N signatories (the DCS of N South East
authorities, keys in a SoftHSM2 token) each ask for a code and sign with it, all at once,
against gunicorn with two workers. Prints signatures per second and p50/p95 latency of the
code request and of the confirmation (a 503 is retried after its Retry-After, as the page
asks, and counts in the time), then shows that nothing was lost or double-counted:
N remote signatures, N codes accepted, N DCS signatures, N Lead Member invitations."""

from __future__ import annotations

import re
import statistics
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from email import message_from_bytes, policy

import requests

from mougen.demo_remote import make_token
from mougen.pki import configured_signatory, init_ca, load_ca
from mougen.pki.revocation import publish_crl
from mougen.remote.credentials import enrol
from mougen.round.records import Actor
from mougen.round.signing_round import SigningRound
from mougen.round.store import RoundStore
from mougen.tracker import Tracker
from mougen.workspace import Workspace
from tests.webround import MOU, email
from tests.webserver import Gunicorn, free_port

#: Threads per gunicorn worker (as web_load.py).
THREADS = 8


def run_remote(ws: Workspace, slugs: list[str]) -> bool:
    """Enrol, invite and sign the DCS of every authority in ``slugs`` at once; all on record."""
    _enrol(ws, slugs)
    with Tracker.open(ws.db_url) as tracker:
        SigningRound(ws, tracker).invite(MOU, slugs, Actor("benchmark", None))
    server = Gunicorn(ws, ws.db_url, free_port(), threads=THREADS)
    try:
        started = time.perf_counter()
        with ThreadPoolExecutor(len(slugs)) as pool:
            results = list(pool.map(lambda s: _sign(ws, server.url, *s), enumerate(slugs)))
        wall = time.perf_counter() - started
    finally:
        log = server.stop()
    n = len(slugs)
    if "Traceback" in log:
        print(log[log.index("Traceback") :][:3000])
    print(f"remote signing: {n} signatories at once, 2 gunicorn workers x {THREADS} threads: "
          f"{n / wall:.2f} signatures/s ({wall:.1f} s)")  # fmt: skip
    for i, kind in enumerate(("code", "confirm")):
        times = sorted(r[i][0] for r in results)
        p95 = times[max(0, round(0.95 * len(times)) - 1)]
        statuses = sorted({r[i][1] for r in results})
        busy = sum(r[i][2] for r in results)
        print(f"  {kind:7}: p50 {statistics.median(times) * 1000:.0f} ms, "
              f"p95 {p95 * 1000:.0f} ms, HTTP {statuses} at last, "
              f"{busy} told 503 first")  # fmt: skip
    return _check(ws, n)


def _enrol(ws: Workspace, slugs: list[str]) -> None:
    """Every signatory signs remotely; a programme CA; each DCS's key made in the token."""
    path = ws.regions_dir / "south-east.yaml"
    path.write_text(path.read_text().replace("region:\n", "region:\n  signs: remote\n", 1))
    # Behind a proxy, so each signatory comes from an address of their own (X-Forwarded-For):
    # codes are rate-limited per address.
    (ws.root / "web.toml").write_text("proxy_hops = 1\n")
    (ws.root / "demo-secrets").mkdir()  # where make_token keeps the PIN file
    token = make_token(ws)
    ws = Workspace(ws.root, ws.db_url)
    now = datetime.now(UTC)
    init_ca(ws, "south-east", b"benchmark CA passphrase", when=now)
    ca = load_ca(ws, "south-east", b"benchmark CA passphrase")
    publish_crl(ws, ca, "south-east", when=now)
    for slug in slugs:
        enrol(ws, ca, configured_signatory(ws, slug, "dcs")[1], token, when=now)


def _sign(ws: Workspace, base: str, i: int, slug: str) -> tuple[tuple[float, int, int], ...]:
    """Signatory ``i``: open the link, ask for a code, read it from the outbox, confirm it."""
    to = email(slug, "dcs")
    link = base + _found(ws, to, "Please sign", r"(/sign/\S+)")
    session = requests.Session()
    session.headers["X-Forwarded-For"] = f"198.51.100.{i + 1}"
    csrf = _csrf(session.get(link, timeout=300).text)
    started = time.perf_counter()
    asked = session.post(f"{link}/remote/code", data={"csrf_token": csrf, "read": "y"}, timeout=300)
    code_time = time.perf_counter() - started
    if asked.status_code != 200:
        return (code_time, asked.status_code, 0), (0.0, 0, 0)
    code = _found(ws, to, "Your signing code", r"^\s+(\d{6})\s*$")
    started = time.perf_counter()
    form = {"csrf_token": _csrf(asked.text), "code": code}
    signed = session.post(f"{link}/remote/confirm", data=form, timeout=300)
    busy = 0
    while signed.status_code == 503:  # busy: the signatory presses again when told to
        busy += 1
        time.sleep(int(signed.headers["Retry-After"]))
        signed = session.post(f"{link}/remote/confirm", data=form, timeout=300)
    confirm_time = time.perf_counter() - started
    return (code_time, asked.status_code, 0), (confirm_time, signed.status_code, busy)


def _csrf(page: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)


def _found(ws: Workspace, to: str, subject: str, pattern: str) -> str:
    """What ``pattern`` finds in the message to ``to`` about ``subject`` (waiting for it)."""
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        for path in sorted((ws.root / "outbox").glob("*.eml")):
            message = message_from_bytes(path.read_bytes(), policy=policy.default)
            if str(message["To"]) == to and subject in str(message["Subject"]):
                return re.search(pattern, message.get_content(), re.M).group(1)
        time.sleep(0.1)
    raise AssertionError(f"no {subject!r} email to {to}")


def _check(ws: Workspace, n: int) -> bool:
    """Each DCS signed once, by the token, with one accepted code; the next role invited."""
    with Tracker.open(ws.db_url) as tracker:
        signatures = [s for s in tracker.signatures(MOU) if s.role == "dcs"]
        kinds = [e.kind for e in tracker.events()]
        invited = [
            e for e in RoundStore(tracker).emails() if e.recipient.startswith("lead-member@")
        ]
        chain = tracker.verify_log()
    found = (len(signatures), kinds.count("remote-signed"), kinds.count("remote-code-accepted"))
    print(f"  DCS signatures recorded {found[0]}, remote signatures {found[1]}, codes accepted "
          f"{found[2]}, Lead Member invitations {len(invited)} (want {n} each)")  # fmt: skip
    print(f"  audit chain: {'; '.join(chain) or 'intact'}")
    ok = found == (n, n, n) and len(invited) == n and not chain
    print("  nothing lost, nothing counted twice" if ok else "  MISMATCH")
    return ok


if __name__ == "__main__":
    sys.exit("run it as: benchmarks/web_load.py --remote")

"""The remote-signing part of ``web_load.py``: N signatories, keys in a SoftHSM2 token, each
open their link, ask for a code and sign with it, all at once, against gunicorn with two
workers.

One MoU has at most 33 authorities (London; the South East has 19), so the N signatories are
the Directors of Children's Services of the first N authorities of the rounds in ``ROUNDS``,
taken in turn: N = 50 is the 19 of the South East and 31 of London, each region with its
programme CA. Each signatory comes from an address of their own (X-Forwarded-For behind one
proxy), as codes are rate-limited per address.

Prints signatures per second; p50/p95 latency of the page, the code request and the
confirmation (a 503 is retried after its Retry-After, as the page asks, and counts in the
time); the CPU seconds the server spent per signature (its processes and the verification
children they reaped) and the load average beside them, as other work shares the machine;
then shows that nothing was lost or double-counted: N remote signatures, N codes accepted,
N DCS signatures, N Lead Member invitations, the audit chain intact.
"""

from __future__ import annotations

import os
import re
import statistics
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from email import message_from_bytes, policy
from pathlib import Path

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
from tests.conftest import scratch_workspace
from tests.webround import add_signatory_emails, email
from tests.webserver import Gunicorn, free_port

#: Threads per gunicorn worker (as web_load.py).
THREADS = 8
#: The rounds whose DCS sign, in turn until there are N: versions in force of two regions.
ROUNDS = ("se-2019-20", "london-2019")
#: What each signatory's steps are called in the report, in order.
STEPS = ("page", "code", "confirm")


@dataclass(frozen=True)
class Signatory:
    """One DCS who signs remotely: their MoU, their authority, the address they come from."""

    mou: str
    slug: str
    address: str


@dataclass(frozen=True)
class Step:
    """One request of a signatory: how long it took, its last status, how often it was 503."""

    seconds: float
    status: int
    busy: int = 0


def run_remote(root: Path, n: int, db: str | None, spread: float = 0.0) -> bool:
    """Enrol, invite and sign the DCS of ``n`` authorities at once (or, with ``spread``,
    arriving evenly over that many seconds); all on record."""
    ws = Workspace(scratch_workspace(root).root, db)
    signatories = _signatories(ws, n)
    ws = _enrol(ws, signatories)
    with Tracker.open(ws.db_url) as tracker:
        service = SigningRound(ws, tracker)
        for mou in dict.fromkeys(s.mou for s in signatories):
            slugs = [s.slug for s in signatories if s.mou == mou]
            service.invite(mou, slugs, Actor("benchmark", None))
    server = Gunicorn(ws, ws.db_url, free_port(), threads=THREADS)
    outbox = Outbox(ws.root / "outbox")
    try:
        _settled(server)
        cpu, load, started = server.cpu_seconds(), os.getloadavg()[0], time.perf_counter()
        with ThreadPoolExecutor(len(signatories)) as pool:
            results = list(
                pool.map(
                    lambda i: _sign(outbox, server.url, signatories[i], started + i * spread / n),
                    range(n),
                )
            )
        wall = time.perf_counter() - started
        cpu, load = server.cpu_seconds() - cpu, (load, os.getloadavg()[0])
    finally:
        outbox.close()
        log = server.stop()
    if "Traceback" in log:
        print(log[log.index("Traceback") :][:3000])
    _report(signatories, results, wall, cpu, load, spread)
    return _check(ws, signatories)


def _settled(server: Gunicorn) -> None:
    """Wait for both workers to have started (each loads the application, and its verifier
    process loads pyHanko) and the server to be idle, so start-up is not counted."""
    with ThreadPoolExecutor(4) as pool:
        list(pool.map(lambda _: requests.get(f"{server.url}/verify", timeout=60), range(8)))
    used = -1.0
    while server.cpu_seconds() - used > 0.02:
        used = server.cpu_seconds()
        time.sleep(0.5)


def _signatories(ws: Workspace, n: int) -> list[Signatory]:
    """The DCS of the first ``n`` authorities of ``ROUNDS``, each with an address of their own."""
    picked = [(mou, slug) for mou in ROUNDS for slug in ws.catalog.mou(mou).mou.parties][:n]
    if len(picked) < n:
        raise SystemExit(f"--remote takes at most {len(picked)} signatories")
    return [
        Signatory(mou, slug, f"198.51.{100 + i // 250}.{i % 250 + 1}")
        for i, (mou, slug) in enumerate(picked)
    ]


def _enrol(ws: Workspace, signatories: list[Signatory]) -> Workspace:
    """Every signatory signs remotely: emails in config, a programme CA per region, and each
    DCS's key made in the token. The workspace as it now is."""
    regions = {s.mou: ws.catalog.mou(s.mou).region.id for s in signatories}
    for mou, region in regions.items():
        slugs = tuple(s.slug for s in signatories if s.mou == mou)
        add_signatory_emails(ws, slugs, region)
        path = ws.regions_dir / f"{region}.yaml"
        path.write_text(path.read_text().replace("region:\n", "region:\n  signs: remote\n", 1))
    # Behind a proxy, so each signatory comes from an address of their own (X-Forwarded-For):
    # codes are rate-limited per address.
    (ws.root / "web.toml").write_text("proxy_hops = 1\n")
    (ws.root / "demo-secrets").mkdir()  # where make_token keeps the PIN file
    token = make_token(ws)
    ws = Workspace(ws.root, ws.db_url)
    now = datetime.now(UTC)
    for region in dict.fromkeys(regions.values()):
        init_ca(ws, region, b"benchmark CA passphrase", when=now)
        publish_crl(ws, load_ca(ws, region, b"benchmark CA passphrase"), region, when=now)
    for s in signatories:
        ca = load_ca(ws, regions[s.mou], b"benchmark CA passphrase")
        enrol(ws, ca, configured_signatory(ws, s.slug, "dcs")[1], token, when=now)
    return ws


class Outbox:
    """The service's outbox, each message read once by a thread of its own (a signatory
    polling the folder would parse every message at each look, on the server's CPU)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._messages: list[tuple[str, str, str]] = []  # (to, subject, body)
        self._seen: set[str] = set()
        self._arrived = threading.Condition()
        self._closed = False
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        while not self._closed:
            for path in sorted(self.folder.glob("*.eml")):
                if path.name in self._seen:
                    continue
                self._seen.add(path.name)
                message = message_from_bytes(path.read_bytes(), policy=policy.default)
                text = message.get_body(("plain",))  # a completion email has attachments
                body = text.get_content() if text is not None else ""
                found = (str(message["To"]), str(message["Subject"]), body)
                with self._arrived:
                    self._messages.append(found)
                    self._arrived.notify_all()
            time.sleep(0.05)

    def find(self, to: str, subject: str, pattern: str) -> str:
        """What ``pattern`` finds in the newest message to ``to`` about ``subject`` (waiting
        for one to arrive)."""
        deadline = time.monotonic() + 120
        with self._arrived:
            while True:
                for got, about, body in reversed(self._messages):
                    if got == to and subject in about:
                        return re.search(pattern, body, re.M).group(1)
                if not self._arrived.wait(deadline - time.monotonic()):
                    raise AssertionError(f"no {subject!r} email to {to}")

    def close(self) -> None:
        self._closed = True
        self._reader.join()


def _sign(outbox: Outbox, base: str, who: Signatory, arrives: float) -> tuple[Step, ...]:
    """One signatory, from ``arrives`` on (``time.perf_counter()``): open the link, ask for a
    code, read it from the outbox, confirm it."""
    to = email(who.slug, "dcs")
    link = base + outbox.find(to, "Please sign", r"(/sign/\S+)")
    time.sleep(max(0.0, arrives - time.perf_counter()))
    session = requests.Session()
    session.headers["X-Forwarded-For"] = who.address
    started = time.perf_counter()
    page = session.get(link, timeout=300)
    opened = Step(time.perf_counter() - started, page.status_code)
    started = time.perf_counter()
    form = {"csrf_token": _csrf(page.text), "read": "y"}
    asked = session.post(f"{link}/remote/code", data=form, timeout=300)
    requested = Step(time.perf_counter() - started, asked.status_code)
    if asked.status_code != 200:
        return opened, requested, Step(0.0, 0)
    code = outbox.find(to, "Your signing code", r"^\s+(\d{6})\s*$")
    started = time.perf_counter()
    form = {"csrf_token": _csrf(asked.text), "code": code}
    signed = session.post(f"{link}/remote/confirm", data=form, timeout=300)
    busy = 0
    while signed.status_code == 503:  # busy: the signatory presses again when told to
        busy += 1
        time.sleep(int(signed.headers["Retry-After"]))
        signed = session.post(f"{link}/remote/confirm", data=form, timeout=300)
    return opened, requested, Step(time.perf_counter() - started, signed.status_code, busy)


def _csrf(page: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)


def _report(
    signatories: list[Signatory],
    results: list[tuple[Step, ...]],
    wall: float,
    cpu: float,
    load: tuple[float, float],
    spread: float,
) -> None:
    n = len(signatories)
    rounds = ", ".join(f"{sum(s.mou == m for s in signatories)} of {m}" for m in ROUNDS)
    when = f"arriving over {spread:g} s" if spread else "at once"
    print(f"remote signing: {n} signatories {when} ({rounds}), 2 gunicorn workers x "
          f"{THREADS} threads: {n / wall:.2f} signatures/s ({wall:.1f} s)")  # fmt: skip
    for i, kind in enumerate(STEPS):
        steps = [r[i] for r in results]
        times = sorted(s.seconds for s in steps)
        p95 = times[max(0, round(0.95 * len(times)) - 1)]
        statuses = sorted({s.status for s in steps})
        busy = sum(s.busy for s in steps)
        print(f"  {kind:7}: p50 {statistics.median(times) * 1000:.0f} ms, "
              f"p95 {p95 * 1000:.0f} ms, HTTP {statuses} at last, "
              f"{busy} told 503 first")  # fmt: skip
    print(f"  server CPU {cpu:.1f} s: {cpu / n:.2f} CPU s per signature (page, code and "
          f"confirmation; 2 cores); load average {load[0]:.2f} before, "
          f"{load[1]:.2f} after")  # fmt: skip


def _check(ws: Workspace, signatories: list[Signatory]) -> bool:
    """Each DCS signed once, by the token, with one accepted code; the next role invited."""
    n = len(signatories)
    with Tracker.open(ws.db_url) as tracker:
        signatures = [
            s for mou in dict.fromkeys(w.mou for w in signatories)
            for s in tracker.signatures(mou) if s.role == "dcs"
        ]  # fmt: skip
        kinds = [e.kind for e in tracker.events()]
        invited = [
            e for e in RoundStore(tracker).emails() if e.recipient.startswith("lead-member@")
        ]
        chain = tracker.verify_log()
    signed = {(s.mou, s.authority) for s in signatures}
    found = (len(signatures), kinds.count("remote-signed"), kinds.count("remote-code-accepted"))
    print(f"  DCS signatures recorded {found[0]} (of {len(signed)} authorities), remote "
          f"signatures {found[1]}, codes accepted {found[2]}, Lead Member invitations "
          f"{len(invited)} (want {n} each)")  # fmt: skip
    print(f"  audit chain: {'; '.join(chain) or 'intact'}")
    ok = found == (n, n, n) and len(signed) == n and len(invited) == n and not chain
    print("  nothing lost, nothing counted twice" if ok else "  MISMATCH")
    return ok


if __name__ == "__main__":
    sys.exit("run it as: benchmarks/web_load.py --remote")

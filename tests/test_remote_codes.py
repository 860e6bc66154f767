"""Signature activation codes and the one signature they release, on SQLite and PostgreSQL:
hashing, expiry, attempts, binding, rate limits, double confirmation, and crash recovery."""

from __future__ import annotations

import hashlib
import multiprocessing
import os
import threading
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from mougen.errors import MougenError
from mougen.remote.claims import SIGNING_LEASE, Claims
from mougen.remote.codes import (
    CODE_LIFETIME,
    MAX_ATTEMPTS,
    REQUESTS_PER_ADDRESS,
    REQUESTS_PER_LINK,
    ActivationCodes,
    Client,
    CodeBinding,
    Outcome,
    TooManyRequests,
)
from mougen.remote.release import Signed, release, resume
from mougen.remote.tables import ActivationCodeRow, RemoteSignatureRow
from mougen.tracker import Tracker
from tests.conftest import backend_url

START = datetime(2026, 12, 4, 10, 0, tzinfo=UTC)
CLIENT = Client("192.0.2.7", "Mozilla/5.0 (test)")
EMAIL = "carole.mills@example.org"


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


BINDING = CodeBinding(_sha("link-1"), _sha("issued.pdf"), "chief-executive", "se-2018/mk")


class Clock:
    """A clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = START

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request, tmp_path) -> str:
    return backend_url(request, f"sqlite:///{tmp_path / 'tracker.db'}")


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def tracker(db_url):
    with Tracker.open(db_url) as opened:
        yield opened


@pytest.fixture
def codes(tracker, clock) -> ActivationCodes:
    return ActivationCodes(tracker, clock)


def _events(tracker: Tracker) -> list:
    return [e for e in tracker.events() if e.kind.startswith("remote-")]


def test_a_code_is_six_digits_stored_only_as_a_hash(codes, tracker):
    issued = codes.request(BINDING, EMAIL, CLIENT)
    assert len(issued.code) == 6 and issued.code.isdigit()
    assert issued.code not in repr(issued)
    assert issued.expires_at == START + CODE_LIFETIME
    with tracker.reading() as s:
        (row,) = s.scalars(select(ActivationCodeRow))
        assert issued.code not in row.code_hash and row.code_hash.startswith("$argon2id$")
    (sent,) = _events(tracker)
    assert sent.kind == "remote-code-sent" and sent.detail["to"] == EMAIL
    assert sent.detail["address"] == CLIENT.address and sent.detail["user_agent"]
    assert issued.code not in str(sent.detail)


def test_the_right_code_is_accepted_once(codes, tracker):
    issued = codes.request(BINDING, EMAIL, CLIENT)
    first = codes.confirm(BINDING, issued.code, CLIENT)
    assert first.outcome is Outcome.ACCEPTED and first.claim is not None
    replay = codes.confirm(BINDING, issued.code, CLIENT)
    assert replay.outcome is Outcome.REFUSED and replay.claim is None
    kinds = [e.kind for e in _events(tracker)]
    assert kinds == ["remote-code-sent", "remote-code-accepted", "remote-code-refused"]
    assert all(issued.code not in str(e.detail) for e in tracker.events())


def test_five_wrong_codes_lock_it_even_against_the_right_one(codes):
    issued = codes.request(BINDING, EMAIL, CLIENT)
    wrong = f"{(int(issued.code) + 1) % 10**6:06d}"
    left = [codes.confirm(BINDING, wrong, CLIENT) for _ in range(MAX_ATTEMPTS)]
    assert [c.outcome for c in left] == [Outcome.WRONG] * 4 + [Outcome.LOCKED]
    assert [c.attempts_left for c in left[:4]] == [4, 3, 2, 1]
    assert codes.confirm(BINDING, issued.code, CLIENT).outcome is Outcome.LOCKED
    renewed = codes.request(BINDING, EMAIL, CLIENT)
    assert codes.confirm(BINDING, renewed.code, CLIENT).outcome is Outcome.ACCEPTED


def test_unknown_expired_used_and_replaced_codes_get_the_same_refusal(codes, clock):
    assert codes.confirm(BINDING, "123456", CLIENT).outcome is Outcome.REFUSED  # unknown
    expired = codes.request(BINDING, EMAIL, CLIENT)
    clock.now += CODE_LIFETIME
    assert codes.confirm(BINDING, expired.code, CLIENT).outcome is Outcome.REFUSED
    replaced = codes.request(BINDING, EMAIL, CLIENT)
    newest = codes.request(BINDING, EMAIL, CLIENT)
    assert codes.confirm(BINDING, replaced.code, CLIENT).outcome in (
        Outcome.REFUSED,
        Outcome.WRONG,  # an old code is only a wrong guess at the newest one
    )
    assert codes.confirm(BINDING, newest.code, CLIENT).outcome is Outcome.ACCEPTED
    assert codes.confirm(BINDING, newest.code, CLIENT).outcome is Outcome.REFUSED  # used


def test_a_code_works_only_for_its_link_document_and_field(codes):
    issued = codes.request(BINDING, EMAIL, CLIENT)
    other_link = replace(BINDING, link_sha256=_sha("link-2"))
    other_document = replace(BINDING, document_sha256=_sha("another.pdf"))
    other_field = replace(BINDING, field="dcs")
    assert codes.confirm(other_link, issued.code, CLIENT).outcome is Outcome.REFUSED
    assert codes.confirm(other_document, issued.code, CLIENT).outcome is Outcome.REFUSED
    assert codes.confirm(other_field, issued.code, CLIENT).outcome is Outcome.REFUSED
    # A code sent for link 2 is only a wrong guess on link 1's own code.
    codes.request(other_link, EMAIL, Client("192.0.2.8", None))
    assert codes.confirm(other_link, issued.code, CLIENT).outcome is Outcome.WRONG
    assert codes.confirm(BINDING, issued.code, CLIENT).outcome is Outcome.ACCEPTED


def test_requests_are_rate_limited_per_link_and_per_address(codes, clock, tracker):
    for _ in range(REQUESTS_PER_LINK):
        codes.request(BINDING, EMAIL, CLIENT)
    with pytest.raises(TooManyRequests):
        codes.request(BINDING, EMAIL, Client("198.51.100.1", None))
    assert _events(tracker)[-1].kind == "remote-code-not-sent"
    clock.now += timedelta(minutes=11)
    codes.request(BINDING, EMAIL, CLIENT)  # the window has passed
    for n in range(REQUESTS_PER_ADDRESS - 1):
        codes.request(replace(BINDING, link_sha256=_sha(f"other-{n}")), EMAIL, CLIENT)
    with pytest.raises(TooManyRequests):
        codes.request(replace(BINDING, link_sha256=_sha("yet-another")), EMAIL, CLIENT)


def test_no_code_is_sent_once_the_link_has_signed(codes):
    issued = codes.request(BINDING, EMAIL, CLIENT)
    assert codes.confirm(BINDING, issued.code, CLIENT).outcome is Outcome.ACCEPTED
    with pytest.raises(MougenError, match="already been signed"):
        codes.request(BINDING, EMAIL, CLIENT)


def test_two_tabs_confirming_at_once_give_exactly_one_signature(db_url, tracker, clock):
    issued = ActivationCodes(tracker, clock).request(BINDING, EMAIL, CLIENT)
    signed: list[int] = []
    barrier = threading.Barrier(4)

    def tab() -> Outcome:
        with Tracker.open(db_url) as own:  # each tab reaches its own worker
            codes, claims = ActivationCodes(own, clock), Claims(own, clock)
            barrier.wait()
            return release(
                codes, claims, BINDING, issued.code, CLIENT,
                sign=lambda: _signing(signed), file=lambda pdf: None,
            ).outcome  # fmt: skip

    results: list[Outcome] = []
    threads = [threading.Thread(target=lambda: results.append(tab())) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == sorted([Outcome.ACCEPTED] + [Outcome.REFUSED] * 3)
    assert len(signed) == 1
    with tracker.reading() as s:
        assert len(list(s.scalars(select(RemoteSignatureRow)))) == 1


def _signing(log: list[int]) -> Signed:
    log.append(1)
    return Signed(b"%PDF-signed " + str(len(log)).encode(), _sha(f"sig-{len(log)}"))


def _killed_after_signing(db_url: str, code: str) -> None:
    """A worker that signs, keeps the PDF, then dies before filing it."""
    with Tracker.open(db_url) as tracker:
        release(
            ActivationCodes(tracker, Clock()), Claims(tracker, Clock()), BINDING, code, CLIENT,
            sign=lambda: Signed(b"%PDF-signed once", _sha("sig")), file=lambda pdf: os._exit(9),
        )  # fmt: skip


def test_a_worker_killed_before_filing_is_finished_without_signing_again(db_url, tracker):
    issued = ActivationCodes(tracker, Clock()).request(BINDING, EMAIL, CLIENT)
    worker = multiprocessing.get_context("fork").Process(
        target=_killed_after_signing, args=(db_url, issued.code)
    )
    worker.start()
    worker.join(60)
    assert worker.exitcode == 9
    filed: list[bytes] = []

    def never() -> Signed:
        raise AssertionError("signed twice")

    claim = resume(Claims(tracker, Clock()), BINDING, never, filed.append)
    assert filed == [b"%PDF-signed once"] and claim is not None
    assert resume(Claims(tracker, Clock()), BINDING, never, filed.append) is not None
    assert filed == [b"%PDF-signed once"]  # filed once, and known to be filed
    signed_events = [e for e in _events(tracker) if e.kind == "remote-signed"]
    assert len(signed_events) == 1 and signed_events[0].detail["signature_sha256"] == _sha("sig")


def test_a_worker_killed_while_signing_is_resumed_only_after_its_lease(tracker, clock):
    codes, claims = ActivationCodes(tracker, clock), Claims(tracker, clock)
    issued = codes.request(BINDING, EMAIL, CLIENT)

    def dies() -> Signed:
        raise KeyboardInterrupt  # the worker is gone before the PDF is kept

    with pytest.raises(KeyboardInterrupt):
        release(codes, claims, BINDING, issued.code, CLIENT, dies, lambda pdf: None)
    signed: list[int] = []
    filed: list[bytes] = []
    resume(claims, BINDING, lambda: _signing(signed), filed.append)
    assert signed == [] and filed == []  # the lease still holds: perhaps it is still signing
    clock.now += SIGNING_LEASE + timedelta(seconds=1)
    claim = resume(claims, BINDING, lambda: _signing(signed), filed.append)
    assert signed == [1] and filed == [b"%PDF-signed 1"] and claim is not None and claim.filed


def test_migration_0006_adds_the_remote_tables_to_a_0005_tracker(tmp_path):
    from alembic import command
    from sqlalchemy import inspect

    from mougen.tracker.database import make_engine
    from mougen.tracker.migrate import _config, head_revision, upgrade
    from mougen.tracker.revision import HEAD, current_revision

    remote = {"remote_codes", "remote_code_requests", "remote_signatures"}
    engine = make_engine(f"sqlite:///{tmp_path / 'old.db'}")
    try:
        upgrade(engine, "0005")
        assert not remote & set(inspect(engine).get_table_names())
        upgrade(engine, "0006")
        assert current_revision(engine) == "0006"
        assert remote <= set(inspect(engine).get_table_names())
        upgrade(engine)  # and on past it to the head
        assert current_revision(engine) == head_revision() == HEAD
        with engine.begin() as connection:
            command.downgrade(_config(connection), "0005")
        assert not remote & set(inspect(engine).get_table_names())
    finally:
        engine.dispose()

"""The verification slots' queue: the requests of one worker waiting for a slot are served in
the order they came, and one that gives up does not hold up those behind it."""

from __future__ import annotations

import threading
import time

from mougen.web.slots import Busy, verification_slot


def _in_turn(target, count: int) -> list[threading.Thread]:
    """``count`` threads running ``target(n)``, each started a little after the one before."""
    threads = []
    for n in range(count):
        threads.append(threading.Thread(target=target, args=(n,)))
        threads[-1].start()
        time.sleep(0.02)
    return threads


def test_waiting_requests_are_served_in_the_order_they_came(tmp_path):
    folder, served = tmp_path / "slots", []

    def request(n: int) -> None:
        with verification_slot(folder, 1, 10):
            served.append(n)
            time.sleep(0.03)

    with verification_slot(folder, 1, 0):  # the only slot is taken while they arrive
        threads = _in_turn(request, 6)
        time.sleep(0.2)
    for thread in threads:
        thread.join()
    assert served == list(range(6))


def test_a_request_out_of_time_leaves_the_queue(tmp_path):
    folder, outcomes = tmp_path / "slots", {}

    def request(n: int) -> None:
        try:
            with verification_slot(folder, 1, 0.2 if n == 0 else 5):
                outcomes[n] = "served"
        except Busy:
            outcomes[n] = "busy"

    with verification_slot(folder, 1, 0):
        threads = _in_turn(request, 2)
        time.sleep(0.5)  # the first gives up; the second waits on
    for thread in threads:
        thread.join()
    assert outcomes == {0: "busy", 1: "served"}

"""Every verification the web service runs takes a slot of one bounded pool
(:mod:`mougen.web.slots`): public ``/verify`` checks the shared slots only, and are turned
away after ``verify_wait_seconds``; uploads on a signatory's link, remote confirmations and a
coordinator's uploads may also take the reserved ones, and queue for ``link_wait_seconds``:
someone who has just entered their code is not told to come back because a few others are
signing at the same moment."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from mougen.round.settings import RESERVED_SLOTS
from mougen.round.signing_round import SigningRound
from mougen.round.store import ATTEMPT_WINDOW
from mougen.web.slots import verification_slot

#: The folder, in the workspace, of the verification slots.
SLOTS_FOLDER = ".verify-slots"
#: How long a client refused for lack of a slot is asked to wait.
BUSY_RETRY_SECONDS = 30
#: A client over its per-address limit waits out the window the limit counts in.
RATE_RETRY_SECONDS = int(ATTEMPT_WINDOW.total_seconds())
#: What a signatory over the per-address limit of uploads is told.
TOO_MANY = (
    "You have uploaded many files in a short time. "
    f"Try again in {RATE_RETRY_SECONDS // 60} minutes."
)
#: What a client refused for lack of a slot is told.
BUSY = f"The service is busy checking other files. Try again in {BUSY_RETRY_SECONDS} seconds."


@contextmanager
def checking(service: SigningRound, *, reserved: bool) -> Iterator[None]:
    """Hold a verification slot while the block runs (``reserved``: for a signatory or a
    coordinator, who may take one kept for them and wait longer for it);
    :class:`~mougen.web.slots.Busy` if none comes free in time."""
    settings = service.settings
    with verification_slot(
        service.ws.root / SLOTS_FOLDER,
        settings.verify_workers,
        settings.link_wait_seconds if reserved else settings.verify_wait_seconds,
        RESERVED_SLOTS if reserved else 0,
    ):
        yield

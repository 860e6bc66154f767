"""A read-write session on the server's token, its failures as one line (never the PIN)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

import pkcs11
from pkcs11 import PinIncorrect, PinLenRange, PKCS11Error, Session

from mougen.errors import SigningError
from mougen.hsm.settings import TokenSettings

#: Held by the thread using a token: PKCS#11 logs in once per process, so a second
#: thread's login fails (UserAlreadyLoggedIn) and finding the token while another thread
#: opens it can miss it (SoftHSM2, seen in ``benchmarks/web_load.py --remote``).
TOKEN_IN_USE = threading.RLock()


@contextmanager
def token_session(token: TokenSettings) -> Iterator[Session]:
    """A logged-in read-write session on ``token``, closed on leaving."""
    if not token.library.is_file():
        raise SigningError("PKCS#11 library not found", token.library)
    with TOKEN_IN_USE:
        yield from _session(token)


def _session(token: TokenSettings) -> Iterator[Session]:
    """The body of ``token_session``, once this thread holds the token."""
    try:
        found = pkcs11.lib(str(token.library)).get_token(token_label=token.label)
        session = found.open(rw=True, user_pin=token.pin.decode())
    except (PinIncorrect, PinLenRange):
        raise SigningError(f"wrong PIN for token {token.label!r}") from None
    except PKCS11Error as exc:
        problem = str(exc) or type(exc).__name__
        raise SigningError(f"cannot open token {token.label!r}: {problem}") from None
    try:
        yield session
    finally:
        session.close()


def check_token(token: TokenSettings) -> None:
    """Open and close a session, so a wrong PIN or label is reported at start-up, not later."""
    with token_session(token):
        pass

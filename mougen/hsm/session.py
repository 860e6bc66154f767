"""A read-write session on the server's token, its failures as one line (never the PIN)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pkcs11
from pkcs11 import PinIncorrect, PinLenRange, PKCS11Error, Session

from mougen.errors import SigningError
from mougen.hsm.settings import TokenSettings


@contextmanager
def token_session(token: TokenSettings) -> Iterator[Session]:
    """A logged-in read-write session on ``token``, closed on leaving."""
    if not token.library.is_file():
        raise SigningError("PKCS#11 library not found", token.library)
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

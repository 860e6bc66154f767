"""Coordinator passwords: argon2id hashes (argon2-cffi's recommended parameters)."""

from __future__ import annotations

from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

_HASHER = PasswordHasher()


@cache
def _dummy() -> str:
    """The hash checked against when the user is unknown, so an unknown name takes as long
    as a wrong password. Made on first use, not at import: hashing costs about 0.75 s of CPU,
    which every command importing the round store (``mougen pack``) would otherwise pay."""
    return _HASHER.hash("not a password anyone has")


def prepare_unknown_user_hash() -> None:
    """Make the unknown user's hash now (the web service does at start), so even the first
    sign-in by an unknown name takes no longer than a wrong password."""
    _dummy()


def hash_password(password: str) -> str:
    """The argon2id hash to store for ``password``."""
    return _HASHER.hash(password)


def password_matches(stored: str | None, password: str) -> bool:
    """Whether ``password`` matches the stored hash (None: an unknown user, always False)."""
    try:
        return _HASHER.verify(stored or _dummy(), password) and stored is not None
    except (VerificationError, InvalidHashError):
        return False

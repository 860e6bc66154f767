"""Signatory link tokens: 256 random bits, of which the database keeps only a SHA-256."""

from __future__ import annotations

import hmac
import secrets

from mougen.digest import sha256_hex


def new_token() -> str:
    """A fresh, unguessable token for a link."""
    return secrets.token_urlsafe(32)


def new_nonce() -> str:
    """A fresh session nonce for an account: sessions carry it, so a session made for an
    account that was removed is never valid for a later account of the same name and id."""
    return secrets.token_hex(16)


def token_hash(token: str) -> str:
    """The SHA-256 the database keeps in place of ``token``."""
    return sha256_hex(token.encode("utf-8", "surrogateescape"))


def same_hash(stored: str, token: str) -> bool:
    """Whether ``token`` hashes to ``stored``, compared in constant time."""
    return hmac.compare_digest(stored, token_hash(token))

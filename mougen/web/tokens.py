"""Signatory link tokens: 256 random bits, of which the database keeps only a SHA-256."""

from __future__ import annotations

import hashlib
import hmac
import secrets


def new_token() -> str:
    """A fresh, unguessable token for a link."""
    return secrets.token_urlsafe(32)


def token_hash(token: str) -> str:
    """The SHA-256 the database keeps in place of ``token``."""
    return hashlib.sha256(token.encode("utf-8", "surrogateescape")).hexdigest()


def same_hash(stored: str, token: str) -> bool:
    """Whether ``token`` hashes to ``stored``, compared in constant time."""
    return hmac.compare_digest(stored, token_hash(token))

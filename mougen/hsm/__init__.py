"""The server's PKCS#11 token: its settings, and the programme keys generated and kept in it."""

from mougen.hsm.keys import (
    KeyFacts,
    destroy_key,
    generate_key,
    key_facts,
    new_label,
    store_certificate,
)
from mougen.hsm.session import check_token, token_session
from mougen.hsm.settings import PIN_ENV, TokenSettings, token_settings

__all__ = [
    "PIN_ENV",
    "KeyFacts",
    "TokenSettings",
    "check_token",
    "destroy_key",
    "generate_key",
    "key_facts",
    "new_label",
    "store_certificate",
    "token_session",
    "token_settings",
]

"""The web service's settings: ``web.toml`` in the workspace, every key optional.

::

    base_url = "https://mou.example.org"   # how links in emails begin
    coordinator_email = "sli@example.org"  # gets the completion emails
    upload_limit_mb = 20
    link_days = 28                         # how long a signatory's link lasts
    signing_order = ["dcs", "lead-member", "chief-executive"]
    verify_seconds = 60                    # time limit for checking one upload
    verify_memory_mb = 1024                # memory limit for checking one upload
    verify_workers = 1                     # public /verify checks run at once (all workers)
    verify_wait_seconds = 1                # how long a /verify upload waits for a free slot
    link_wait_seconds = 10                 # ... and an upload on a link, a coordinator's
                                           # upload or a remote confirmation
    verify_per_address = 20                # /verify uploads one address may make in 5 minutes
    secure_cookies = false                 # true behind TLS
    proxy_hops = 0                         # reverse proxies whose X-Forwarded-* to trust

    [smtp]                                 # see mougen.mail.settings
    [imap]                                 # see mougen.collect.mailbox.settings
    [token]                                # remote signing: see mougen.hsm.settings
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mougen.errors import ConfigError
from mougen.hsm import TokenSettings, token_settings
from mougen.mail import SmtpSettings, smtp_settings
from mougen.roles import ROLE_IDS

#: Verification slots kept for signatories' and coordinators' uploads, beside the
#: ``verify_workers`` every check may take.
RESERVED_SLOTS = 1

FILE = "web.toml"


@dataclass(frozen=True)
class WebSettings:
    """How the web service behaves in one workspace."""

    base_url: str = "http://127.0.0.1:8000"
    coordinator_email: str | None = None
    upload_limit_mb: int = 20
    link_days: int = 28
    signing_order: tuple[str, ...] = ROLE_IDS
    verify_seconds: int = 60
    verify_memory_mb: int = 1024
    verify_workers: int = 1
    verify_wait_seconds: int = 1
    link_wait_seconds: int = 10
    verify_per_address: int = 20
    secure_cookies: bool = False
    proxy_hops: int = 0

    @property
    def verify_ceiling_mb(self) -> int:
        """The most memory verification may take at once, over every worker: the public
        slots and the ones reserved for uploads on a link or by a coordinator."""
        return (self.verify_workers + RESERVED_SLOTS) * self.verify_memory_mb

    @property
    def upload_limit(self) -> int:
        """The largest upload accepted, in bytes."""
        return self.upload_limit_mb * 1024 * 1024


def read_toml(path: Path) -> dict[str, Any]:
    """A TOML file as a dict (empty if there is none); ``ConfigError`` naming it otherwise."""
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"cannot read settings ({exc})", path) from None


def load_settings(root: Path) -> WebSettings:
    """The settings in ``root/web.toml`` (defaults where a key is absent)."""
    path = root / FILE
    # (the [imap] table is collect --mailbox's: mougen.collect.mailbox.settings; [token] is
    # the PKCS#11 token's: mougen.hsm.settings)
    raw = {k: v for k, v in read_toml(path).items() if k not in ("smtp", "imap", "token")}
    defaults = WebSettings()
    values: dict[str, Any] = {}
    for key, value in raw.items():
        if not hasattr(defaults, key) or key == "upload_limit":
            raise ConfigError(f"unknown key {key!r}", path)
        wanted = type(getattr(defaults, key))
        if key == "signing_order":
            value = _order(path, value)
        elif key == "coordinator_email":
            wanted = str
        if not isinstance(value, wanted) or (wanted is int and isinstance(value, bool)):
            raise ConfigError(f"{key}: expected {wanted.__name__}", path)
        if wanted is int and value < (0 if key == "proxy_hops" else 1):
            raise ConfigError(f"{key}: must be positive", path)
        values[key] = value
    if "base_url" in values:
        values["base_url"] = values["base_url"].rstrip("/")
    return WebSettings(**values)


def _order(path: Path, value: object) -> tuple[str, ...]:
    if not isinstance(value, list) or sorted(value) != sorted(ROLE_IDS):
        raise ConfigError(f"signing_order: list each of {', '.join(ROLE_IDS)} once", path)
    return tuple(value)


def load_smtp(root: Path) -> SmtpSettings:
    """The ``[smtp]`` table of ``root/web.toml`` (no table: mail goes to the outbox)."""
    path = root / FILE
    table = read_toml(path).get("smtp", {})
    if not isinstance(table, dict):
        raise ConfigError("smtp: expected a table", path)
    return smtp_settings(table, path)


def load_token(root: Path) -> TokenSettings | None:
    """The ``[token]`` table of ``root/web.toml``: the PKCS#11 token holding programme keys
    for remote signing (None when there is no table: nobody signs remotely)."""
    path = root / FILE
    table = read_toml(path).get("token")
    if table is None:
        return None
    if not isinstance(table, dict):
        raise ConfigError("token: expected a table", path)
    return token_settings(table, path)

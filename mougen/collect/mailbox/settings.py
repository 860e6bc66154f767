"""Where the collection mailbox is: the ``[imap]`` table of the workspace's ``web.toml``, or
a URL on the command line, for example

::

    [imap]
    host = "imap.example.org"
    port = 993                 # 993 for implicit TLS, 143 for STARTTLS
    tls = "implicit"           # or "starttls"; never in the clear
    user = "sli-returns"
    folder = "INBOX"
    address = "sli-returns@example.org"  # the Reply-To of invitations
    password_file = "/etc/mougen/imap-password"  # or MOUGEN_IMAP_PASSWORD
    replies = true             # answer each sender: accepted, or not and why
    poll_seconds = 60          # --watch without IDLE
    max_message_mb = 100       # larger messages are refused unread

The password is never read from a command line; the server's certificate is checked
against the system's trust store (or ``SSL_CERT_FILE``).
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from mougen.errors import ConfigError, MougenError
from mougen.mail import Mailer, outbox_dir, smtp_settings

PASSWORD_ENV = "MOUGEN_IMAP_PASSWORD"
SETTINGS_FILE = "web.toml"
_PORTS = {"implicit": 993, "starttls": 143}
_SCHEMES = {"imaps": "implicit", "imap": "starttls"}


@dataclass(frozen=True)
class MailboxSettings:
    """One IMAP folder to collect from, and how to treat what is in it."""

    host: str
    user: str
    password: str = ""
    port: int = 993
    tls: str = "implicit"
    folder: str = "INBOX"
    address: str | None = None
    replies: bool = True
    poll_seconds: int = 60
    max_message_mb: int = 100

    @property
    def name(self) -> str:
        """The mailbox as the tracker knows it: ``user@host:port/folder``."""
        return f"{self.user}@{self.host}:{self.port}/{self.folder}"

    @property
    def reply_to(self) -> str | None:
        """The address signatories send their files to, if it is known."""
        return self.address or (self.user if "@" in self.user else None)

    @property
    def max_message_bytes(self) -> int:
        return self.max_message_mb * 2**20


_TYPES: dict[str, type] = {
    "host": str,
    "user": str,
    "port": int,
    "tls": str,
    "folder": str,
    "address": str,
    "replies": bool,
    "poll_seconds": int,
    "max_message_mb": int,
}


def configured(root: Path) -> MailboxSettings | None:
    """The ``[imap]`` table of ``root/web.toml``; None if there is none."""
    path = root / SETTINGS_FILE
    table = _table(path, "imap")
    if table is None:
        return None
    raw = dict(table)
    password_file = raw.pop("password_file", None)
    for key, value in raw.items():
        wanted = _TYPES.get(key)
        if wanted is None:
            raise ConfigError(f"imap.{key}: unknown key", path)
        if not isinstance(value, wanted) or (wanted is int and isinstance(value, bool)):
            raise ConfigError(f"imap.{key}: expected {wanted.__name__}", path)
        if isinstance(value, int) and not isinstance(value, bool) and value < 1:
            raise ConfigError(f"imap.{key}: must be positive", path)
    for key in ("host", "user"):
        if key not in raw:
            raise ConfigError(f"imap.{key}: missing", path)
    if raw.setdefault("tls", "implicit") not in _PORTS:
        raise ConfigError("imap.tls: expected 'implicit' or 'starttls'", path)
    raw.setdefault("port", _PORTS[raw["tls"]])
    settings = MailboxSettings(**raw)
    if password_file is not None:
        return replace(settings, password=_read_password(Path(str(password_file)), path))
    return settings


def from_url(url: str, base: MailboxSettings | None) -> MailboxSettings:
    """``imaps://user@host[:port]/FOLDER`` (``imap://`` for STARTTLS) over ``base``'s other
    settings; a password in the URL is refused, as it would sit on a command line."""
    parts = urlsplit(url)
    tls = _SCHEMES.get(parts.scheme)
    if tls is None or not parts.hostname or not parts.username:
        raise MougenError(f"--mailbox {url!r}: expected imaps://USER@HOST[:PORT]/FOLDER")
    if parts.password is not None:
        raise MougenError("--mailbox: no password in a URL: --password-file or " + PASSWORD_ENV)
    try:
        port = parts.port or _PORTS[tls]
    except ValueError:
        raise MougenError(f"--mailbox {url!r}: the port is not a number") from None
    folder = unquote(parts.path.lstrip("/")) or "INBOX"
    user, host = unquote(parts.username), parts.hostname
    if base is None:
        return MailboxSettings(host=host, user=user, port=port, tls=tls, folder=folder)
    return replace(base, host=host, user=user, port=port, tls=tls, folder=folder)


def with_password(settings: MailboxSettings, password_file: Path | None) -> MailboxSettings:
    """The settings with their password: from ``password_file``, else the settings file's,
    else ``MOUGEN_IMAP_PASSWORD``."""
    if password_file is not None:
        return replace(settings, password=_read_password(password_file, password_file))
    if settings.password:
        return settings
    password = os.environ.get(PASSWORD_ENV)
    if not password:
        raise MougenError(f"no IMAP password: give --password-file FILE or set {PASSWORD_ENV}")
    return replace(settings, password=password)


def replies_mailer(root: Path, clock: Callable[[], datetime]) -> Mailer:
    """What answers senders, dating its messages by ``clock``: the ``[smtp]`` table of
    ``root/web.toml`` (see :mod:`mougen.mail.settings`), or the ``outbox/`` folder without one."""
    path = root / SETTINGS_FILE
    return Mailer(smtp_settings(_table(path, "smtp") or {}, path), outbox_dir(root), clock)


def _table(path: Path, key: str) -> dict[str, Any] | None:
    try:
        table = tomllib.loads(path.read_text(encoding="utf-8")).get(key)
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"cannot read settings ({exc})", path) from None
    if table is not None and not isinstance(table, dict):
        raise ConfigError(f"{key}: expected a table", path)
    return table


def _read_password(path: Path, named_in: Path) -> str:
    try:
        return path.read_text(encoding="utf-8").rstrip("\r\n")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"cannot read the IMAP password file {path} ({exc})", named_in) from None

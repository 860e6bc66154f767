"""SMTP settings: the ``[smtp]`` table of the workspace's ``web.toml``, for example

::

    [smtp]
    host = "smtp.example.org"
    port = 587
    starttls = true
    user = "sli-mou"
    password_file = "/etc/mougen/smtp-password"   # or MOUGEN_SMTP_PASSWORD in the environment
    sender = "SLI MoUs <sli@example.org>"

The password is never read from a command line. With no ``host``, mail goes to ``outbox/``.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mougen.errors import ConfigError

PASSWORD_ENV = "MOUGEN_SMTP_PASSWORD"
DEFAULT_SENDER = "mougen <mougen@localhost>"


@dataclass(frozen=True)
class SmtpSettings:
    """Where and how to hand mail over; ``host`` None means the outbox folder."""

    host: str | None = None
    port: int = 587
    starttls: bool = True
    user: str | None = None
    password: str | None = None
    sender: str = DEFAULT_SENDER


_TYPES = {"host": str, "port": int, "starttls": bool, "user": str, "sender": str}


def smtp_settings(table: dict[str, Any], path: Path) -> SmtpSettings:
    """The SMTP settings in ``table`` (the ``[smtp]`` table of the settings file ``path``)."""
    raw = dict(table)
    password_file = raw.pop("password_file", None)
    for key, value in raw.items():
        if key not in _TYPES:
            raise ConfigError(f"smtp.{key}: unknown key", path)
        if not isinstance(value, _TYPES[key]) or (key == "port" and isinstance(value, bool)):
            raise ConfigError(f"smtp.{key}: expected {_TYPES[key].__name__}", path)
    password = os.environ.get(PASSWORD_ENV)
    if password_file is not None:
        password = _read_password(path, Path(str(password_file)))
    return SmtpSettings(**raw, password=password)


def _read_password(settings: Path, path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8").rstrip("\r\n")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"smtp.password_file: cannot read {path} ({exc})", settings) from None

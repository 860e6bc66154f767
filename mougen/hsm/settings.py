"""The token's settings: the ``[token]`` table of the workspace's ``web.toml``, for example

::

    [token]
    library = "/usr/lib/softhsm/libsofthsm2.so"   # the PKCS#11 module
    label = "mougen"                              # the token's label
    pin_file = "/etc/mougen/token-pin"            # or MOUGEN_TOKEN_PIN in the environment

The PIN is never read from a command line, and never shown: not in a message, a log line or
the representation of the settings.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mougen.errors import ConfigError

#: The environment variable holding the token's user PIN when no ``pin_file`` is set.
PIN_ENV = "MOUGEN_TOKEN_PIN"


@dataclass(frozen=True)
class TokenSettings:
    """Which PKCS#11 token holds the programme keys, and its user PIN (kept out of ``repr``)."""

    library: Path
    label: str
    pin: bytes = field(repr=False)


def token_settings(table: dict[str, Any], path: Path) -> TokenSettings:
    """The token settings in ``table`` (the ``[token]`` table of the settings file ``path``)."""
    raw = dict(table)
    pin_file = raw.pop("pin_file", None)
    for key in raw:
        if key not in ("library", "label"):
            raise ConfigError(f"token.{key}: unknown key", path)
    library, label = (_text(raw, key, path) for key in ("library", "label"))
    if pin_file is not None:
        pin = _read_pin(path, Path(str(pin_file)))
    else:
        pin = os.environ.get(PIN_ENV, "").encode()
    if not pin:
        raise ConfigError(f"token: no PIN (set token.pin_file, or {PIN_ENV})", path)
    return TokenSettings(Path(library), label, pin)


def _text(raw: dict[str, Any], key: str, path: Path) -> str:
    value = raw.get(key)
    if not isinstance(value, str) or not value:
        raise ConfigError(f"token.{key}: expected a non-empty string", path)
    return value


def _read_pin(settings: Path, pin_file: Path) -> bytes:
    try:
        pin = pin_file.read_bytes().rstrip(b"\r\n")
    except OSError as exc:
        raise ConfigError(
            f"token.pin_file: cannot read {pin_file} ({exc.strerror})", settings
        ) from None
    if not pin:
        raise ConfigError(f"token.pin_file: {pin_file} is empty", settings)
    return pin

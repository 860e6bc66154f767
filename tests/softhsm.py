"""A SoftHSM2 token made at run time in a folder of its own, named in ``web.toml``'s
``[token]`` table the way a coordinator would configure the server's token."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pkcs11
import pytest

from mougen.hsm import TokenSettings

SOFTHSM_LIBS = (
    Path("/usr/lib/softhsm/libsofthsm2.so"),
    Path("/usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so"),
)
LABEL = "mougen-remote"
PIN = "731905"


@dataclass(frozen=True)
class SoftToken:
    """A fresh token: its settings, and the PIN file they read."""

    settings: TokenSettings
    pin_file: Path

    def web_toml(self) -> str:
        """The ``[token]`` table naming this token."""
        library, pin_file = self.settings.library, self.pin_file
        return f'[token]\nlibrary = "{library}"\nlabel = "{LABEL}"\npin_file = "{pin_file}"\n'


@contextmanager
def soft_token(home: Path) -> Iterator[SoftToken]:
    """A token whose store lives in ``home``, with SOFTHSM2_CONF pointing there while in use."""
    with pytest.MonkeyPatch.context() as monkeypatch:
        token = _make_token(home, monkeypatch)
        try:
            yield token
        finally:
            # The next user of the module (in this process) must read its own configuration.
            pkcs11.lib(str(token.settings.library)).finalize()


def _make_token(home: Path, monkeypatch: pytest.MonkeyPatch) -> SoftToken:
    library = next((p for p in SOFTHSM_LIBS if p.is_file()), None)
    if library is None:
        pytest.skip("the SoftHSM2 PKCS#11 library (Debian package softhsm2) is not installed")
    (home / "tokens").mkdir(parents=True)
    conf = home / "softhsm2.conf"
    conf.write_text(f"directories.tokendir = {home / 'tokens'}\nobjectstore.backend = file\n")
    monkeypatch.setenv("SOFTHSM2_CONF", str(conf))
    init = ["softhsm2-util", "--init-token", "--free", "--label", LABEL]
    subprocess.run([*init, "--pin", PIN, "--so-pin", "10293847"], check=True, capture_output=True)
    # The PKCS#11 module is loaded once per process: make it read this configuration.
    pkcs11.lib(str(library)).reinitialize()
    pin_file = home / "pin.txt"
    pin_file.write_text(PIN + "\n")
    return SoftToken(TokenSettings(library, LABEL, PIN.encode()), pin_file)

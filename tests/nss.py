"""Signing with poppler's ``pdfsig`` (NSS) in tests: a throwaway NSS database per signer.

Other tools' signatures are what ``verify`` and ``collect`` must accept, so tests sign with
poppler as a signatory using Okular or pdfsig would.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

from tests.pki import Issued

#: The nickname pk12util gives the key (the PKCS#12 friendly name tests/pki.py writes).
NICK = "signer"


class NssSigner:
    """An NSS database in ``folder`` holding ``signer``'s key, with ``roots`` trusted."""

    def __init__(self, folder: Path, signer: Issued, roots: list[Path]):
        self.db = f"sql:{folder}"
        folder.mkdir(parents=True, exist_ok=True)
        _run("certutil", "-N", "--empty-password", "-d", self.db)
        passphrase = b"throwaway"
        p12 = signer.write_p12(folder / "signer.p12", passphrase)
        pwfile = folder / "p12.pass"
        pwfile.write_bytes(passphrase)
        _run("pk12util", "-i", str(p12), "-d", self.db, "-w", str(pwfile))
        for i, root in enumerate(roots):
            _run("certutil", "-A", "-n", f"root{i}", "-t", "CT,C,C", "-i", str(root), "-d", self.db)

    def sign(self, pdf: Path, field: str, out: Path, *, etsi: bool = False) -> Path:
        """Sign the empty field ``field`` of ``pdf`` into ``out`` (CAdES with ``etsi``)."""
        args = ["-nssdir", self.db, "-nick", NICK, "-sign", field]
        _run("pdfsig", *args, *(["-etsi"] if etsi else []), str(pdf), str(out))
        return out

    def check(self, pdf: Path) -> str:
        """pdfsig's own verdict on ``pdf`` (its exit status is ignored; read the text)."""
        done = subprocess.run(
            ["pdfsig", "-nssdir", self.db, str(pdf)], capture_output=True, text=True, check=False
        )
        return done.stdout + done.stderr


def _run(*cmd: str) -> None:
    done = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"{cmd[0]} failed: {done.stderr.strip() or done.stdout.strip()}")

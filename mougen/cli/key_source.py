"""Where ``mougen sign`` finds the signer's key: a PKCS#12 file or a PKCS#11 token."""

from __future__ import annotations

import functools
from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import click
from pyhanko.sign.signers import Signer

from mougen.cli.secret_options import passphrase_file_option
from mougen.signing import PASSPHRASE_ENV, load_pkcs12, pkcs11_signer, read_passphrase

_file = click.Path(dir_okay=False, path_type=Path)
# Checked before any passphrase is asked for, so nobody types a secret for a missing file.
_existing = click.Path(exists=True, dir_okay=False, path_type=Path)


@dataclass(frozen=True)
class KeySource:
    """The key and certificate to sign with, as the command line names them: a PKCS#12
    file, or a key on a token; the file its passphrase or PIN is in; extra chain files."""

    p12: Path | None = None
    pkcs11_lib: Path | None = None
    token_label: str | None = None
    key_label: str | None = None
    cert_label: str | None = None
    passphrase_file: Path | None = None
    chain: tuple[Path, ...] = ()

    def open(self) -> AbstractContextManager[Signer]:
        """The signer, for as long as the context lasts (a token session stays open)."""
        if self.p12 is not None and self.pkcs11_lib is None:
            prompt = f"Passphrase for {self.p12}"
            secret = read_passphrase(self.passphrase_file, PASSPHRASE_ENV, prompt)
            return nullcontext(load_pkcs12(self.p12, secret, list(self.chain)))
        if self.p12 is not None or self.pkcs11_lib is None:
            raise click.UsageError("give either --p12 or --pkcs11-lib")
        if not (self.token_label and self.key_label):
            raise click.UsageError("--pkcs11-lib needs --token-label and --key-label")
        prompt = f"PIN for token {self.token_label}"
        pin = read_passphrase(self.passphrase_file, PASSPHRASE_ENV, prompt)
        return pkcs11_signer(
            self.pkcs11_lib,
            self.token_label,
            self.key_label,
            pin,
            cert_label=self.cert_label,
            chain=list(self.chain),
        )


#: The options that make a ``KeySource``, outermost first.
_OPTIONS = (
    click.option(
        "--p12", type=_existing, help="Sign with the key and certificate in this PKCS#12 file."
    ),
    click.option(
        "--pkcs11-lib", type=_existing, help="Sign with a token through this PKCS#11 library."
    ),
    click.option("--token-label", help="The token to use (with --pkcs11-lib)."),
    click.option("--key-label", help="The key on the token (with --pkcs11-lib)."),
    click.option("--cert-label", help="The certificate on the token (default: --key-label)."),
    passphrase_file_option("the PKCS#12 passphrase or the token PIN"),
    click.option(
        "--chain", type=_file, multiple=True, help="Embed issuer certificates from this PEM file."
    ),
)
_FIELDS = (
    "p12",
    "pkcs11_lib",
    "token_label",
    "key_label",
    "cert_label",
    "passphrase_file",
    "chain",
)


def key_source_options(f: Callable[..., Any]) -> Callable[..., Any]:
    """The key options (``--p12``, ``--pkcs11-lib`` ... ``--chain``), handed to the command
    as one ``key: KeySource`` argument."""

    @functools.wraps(f)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        key = KeySource(**{name: kwargs.pop(name) for name in _FIELDS})
        return f(*args, key=key, **kwargs)

    for option in reversed(_OPTIONS):
        wrapper = option(wrapper)
    return wrapper

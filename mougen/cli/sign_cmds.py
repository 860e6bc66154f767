"""The signatory's command: sign."""

from __future__ import annotations

from contextlib import AbstractContextManager, nullcontext
from pathlib import Path

import click
from pyhanko.sign.signers import Signer

from mougen.cli.secret_options import passphrase_file_option as _passphrase_file
from mougen.roles import ROLE_IDS
from mougen.signing import (
    PASSPHRASE_ENV,
    load_pkcs12,
    pkcs11_signer,
    read_passphrase,
    sign_pdf,
    validation_context,
)

_file = click.Path(dir_okay=False, path_type=Path)
# Checked before any passphrase is asked for, so nobody types a secret for a missing file.
_existing = click.Path(exists=True, dir_okay=False, path_type=Path)


@click.command()
@click.argument("pdf", type=_file)
@click.option("--role", required=True, type=click.Choice(ROLE_IDS), help="The field to sign.")
@click.option("-o", "--output", required=True, type=_file, help="Where to write the signed PDF.")
@click.option(
    "--p12", type=_existing, help="Sign with the key and certificate in this PKCS#12 file."
)
@click.option(
    "--pkcs11-lib", type=_existing, help="Sign with a token through this PKCS#11 library."
)
@click.option("--token-label", help="The token to use (with --pkcs11-lib).")
@click.option("--key-label", help="The key on the token (with --pkcs11-lib).")
@click.option("--cert-label", help="The certificate on the token (default: --key-label).")
@_passphrase_file("the PKCS#12 passphrase or the token PIN")
@click.option(
    "--chain", type=_file, multiple=True, help="Embed issuer certificates from this PEM file."
)
@click.option("--tsa", metavar="URL", help="Timestamp the signature at this RFC 3161 TSA (B-T).")
@click.option(
    "--with-validation-info",
    is_flag=True,
    help="Embed the certificate chain and revocation data for long-term validation (B-LT).",
)
@click.option("--crl", type=_file, multiple=True, help="Embed this CRL (with B-LT).")
@click.option("--allow-fetch", is_flag=True, help="Fetch revocation data online (with B-LT).")
def sign(
    pdf: Path,
    role: str,
    output: Path,
    p12: Path | None,
    pkcs11_lib: Path | None,
    token_label: str | None,
    key_label: str | None,
    cert_label: str | None,
    passphrase_file: Path | None,
    chain: tuple[Path, ...],
    tsa: str | None,
    with_validation_info: bool,
    crl: tuple[Path, ...],
    allow_fetch: bool,
) -> None:
    """Sign the ROLE field of PDF with your own certificate and write the result to OUTPUT.

    The key is a PKCS#12 file (--p12) or a smartcard or other PKCS#11 token (--pkcs11-lib,
    --token-label, --key-label). The passphrase or PIN is read from --passphrase-file, from
    $MOUGEN_P12_PASSPHRASE or at a prompt; never from the command line.

    The signature is PAdES, added as an incremental update so earlier signatures stay valid.
    """
    with _signer(p12, pkcs11_lib, token_label, key_label, cert_label, passphrase_file, chain) as s:
        context = (
            validation_context(s, list(crl), allow_fetch=allow_fetch)
            if with_validation_info
            else None
        )
        result = sign_pdf(
            pdf,
            role,
            s,
            output,
            tsa_url=tsa,
            with_validation_info=with_validation_info,
            validation_context=context,
        )
    click.echo(f"Signed {result.field} as {result.signer} (PAdES {result.level}): {result.out}")


def _signer(
    p12: Path | None,
    pkcs11_lib: Path | None,
    token_label: str | None,
    key_label: str | None,
    cert_label: str | None,
    passphrase_file: Path | None,
    chain: tuple[Path, ...],
) -> AbstractContextManager[Signer]:
    if (p12 is None) == (pkcs11_lib is None):
        raise click.UsageError("give either --p12 or --pkcs11-lib")
    if p12 is not None:
        secret = read_passphrase(passphrase_file, PASSPHRASE_ENV, f"Passphrase for {p12}")
        return nullcontext(load_pkcs12(p12, secret, list(chain)))
    if not (token_label and key_label):
        raise click.UsageError("--pkcs11-lib needs --token-label and --key-label")
    pin = read_passphrase(passphrase_file, PASSPHRASE_ENV, f"PIN for token {token_label}")
    return pkcs11_signer(
        pkcs11_lib, token_label, key_label, pin, cert_label=cert_label, chain=list(chain)
    )

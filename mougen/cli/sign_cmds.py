"""Commands for signatories and the programme CA: sign, ca init, ca issue."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager, ExitStack, nullcontext
from functools import partial
from pathlib import Path

import click
from pyhanko.sign.signers import Signer

from mougen.cli.options import pass_workspace
from mougen.pki import (
    ca_cert_path,
    configured_signatory,
    init_ca,
    issue_certificate,
    load_ca,
    write_pkcs12,
)
from mougen.printable import printable
from mougen.roles import ROLE_IDS
from mougen.signing import (
    PASSPHRASE_ENV,
    FieldOwner,
    check_new_output,
    issued_to,
    load_pkcs12,
    pkcs11_signer,
    read_passphrase,
    sign_pdf,
    validation_context,
)
from mougen.tracker import Tracker
from mougen.workspace import Workspace

OUT_PASSPHRASE_ENV = "MOUGEN_P12_OUT_PASSPHRASE"

_file = click.Path(dir_okay=False, path_type=Path)
# Checked before any passphrase is asked for, so nobody types a secret for a missing file.
_existing = click.Path(exists=True, dir_okay=False, path_type=Path)


def _passphrase_file(what: str):
    """The --passphrase-file option, its help naming the secret it reads."""
    return click.option(
        "--passphrase-file",
        type=_file,
        help=f"Read {what} from this file (else ${PASSPHRASE_ENV}, else a prompt).",
    )


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
@pass_workspace
def sign(
    ws: Workspace,
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
    OUTPUT must be a new file. In a workspace whose tracker recorded the PDF's issue, the
    stamp names the council, and a programme certificate (`mougen ca issue`) is refused
    unless it was issued for this authority and ROLE; elsewhere only its role is checked.
    """
    check_new_output(pdf, output)
    with ExitStack() as stack:
        owner_of = _issue_lookup(ws, stack)
        s = stack.enter_context(
            _signer(p12, pkcs11_lib, token_label, key_label, cert_label, passphrase_file, chain)
        )
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
            owner_of=owner_of,
        )
    who = printable(result.signer)
    click.echo(f"Signed {result.field} as {who} (PAdES {result.level}): {result.out}")
    if result.note:
        click.echo(f"Note: {result.note}")  # slugs and repr()s: nothing to escape


def _issue_lookup(ws: Workspace, stack: ExitStack) -> Callable[[str], FieldOwner | None] | None:
    """Whom an issued PDF (by SHA-256) belongs to, from the workspace's tracker if it has one."""
    if not ws.has_tracker:
        return None
    return partial(issued_to, ws, stack.enter_context(Tracker.open(ws.db_url, readonly=True)))


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


@click.group()
def ca() -> None:
    """Run a region's programme CA, for councils without signing certificates.

    The CA lives in <workspace>/ca/<region>/ (ca.pem, and ca.key encrypted with a passphrase).
    Its certificate is a trust root for the region when collecting and verifying.
    """


@ca.command("init")
@click.option("--region", "region_id", required=True, help="The region id, e.g. south-east.")
@_passphrase_file("the new CA key's passphrase")
@pass_workspace
def ca_init(ws: Workspace, region_id: str, passphrase_file: Path | None) -> None:
    """Create the programme CA of a region (never replaces an existing one)."""
    secret = read_passphrase(
        passphrase_file, PASSPHRASE_ENV, "New passphrase for the CA key", confirm=True
    )
    cert = init_ca(ws, region_id, secret)
    click.echo(f"Created the CA for {region_id}: {cert}")


@ca.command("issue")
@click.option("--authority", "slug", required=True, help="The authority's slug.")
@click.option("--role", required=True, type=click.Choice(ROLE_IDS), help="The signatory's role.")
@click.option("--name", help="The signatory's name (default: from the region config).")
@click.option("--email", help="The signatory's email (default: from the region config).")
@click.option("--region", "region_id", help="The region, if the slug is in more than one.")
@click.option("-o", "--output", required=True, type=_file, help="The PKCS#12 file to write.")
@_passphrase_file("the CA key's passphrase")
@click.option(
    "--out-passphrase-file",
    type=_file,
    help=f"Read the new PKCS#12 file's passphrase from this file (else ${OUT_PASSPHRASE_ENV}, "
    "else a prompt).",
)
@pass_workspace
def ca_issue(
    ws: Workspace,
    slug: str,
    role: str,
    name: str | None,
    email: str | None,
    region_id: str | None,
    output: Path,
    passphrase_file: Path | None,
    out_passphrase_file: Path | None,
) -> None:
    """Issue a signing certificate for an authority's signatory, as a PKCS#12 file.

    The certificate names the signatory (CN and email), their council (O) and role (OU), and
    may sign documents for two years.
    """
    region, who = configured_signatory(ws, slug, role, name=name, email=email, region_id=region_id)
    ca_secret = read_passphrase(passphrase_file, PASSPHRASE_ENV, "Passphrase for the CA key")
    authority_ca = load_ca(ws, region, ca_secret)
    out_secret = read_passphrase(
        out_passphrase_file, OUT_PASSPHRASE_ENV, f"New passphrase for {output}", confirm=True
    )
    write_pkcs12(issue_certificate(authority_ca, who), output, out_secret)
    click.echo(f"Issued {who.name} ({who.role_title}, {who.council}): {output}")
    click.echo(f"Trust root: {ca_cert_path(ws, region)}")

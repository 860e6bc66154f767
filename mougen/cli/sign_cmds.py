"""The signatory's command: sign."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import ExitStack
from functools import partial
from pathlib import Path

import click

from mougen.cli.key_source import KeySource, key_source_options
from mougen.cli.options import pass_workspace, trust_option, warn
from mougen.clock import wall_clock
from mougen.pki.lookup import programme_region
from mougen.pki.revocation import workspace_crls
from mougen.printable import printable
from mougen.remote.credentials import refuse_held_key
from mougen.roles import ROLE_IDS
from mougen.signing import FieldOwner, Level, check_new_output, issued_to, sign_pdf, validation_data
from mougen.tracker import Tracker
from mougen.verify.trust import load_trust_roots
from mougen.verify.workspace_trust import workspace_trust_roots
from mougen.workspace import Workspace

_file = click.Path(dir_okay=False, path_type=Path)


@click.command()
@click.argument("pdf", type=_file)
@click.option("--role", required=True, type=click.Choice(ROLE_IDS), help="The field to sign.")
@click.option("-o", "--output", required=True, type=_file, help="Where to write the signed PDF.")
@key_source_options
@click.option(
    "--level",
    type=click.Choice([level.value for level in Level]),
    help="The PAdES level: B-B; B-T adds a timestamp; B-LT the chain and revocation data; "
    "B-LTA a document timestamp over all of it (default: B-T with --tsa, else B-B).",
)
@click.option(
    "--tsa",
    metavar="URL",
    help="The RFC 3161 timestamp authority for B-T and above (default: a programme "
    "certificate's region tsa_url).",
)
@click.option("--with-validation-info", is_flag=True, help="The same as --level B-LT.")
@click.option(
    "--crl",
    type=_file,
    multiple=True,
    help="Check against and embed this CRL (the workspace's programme CA CRLs always are).",
)
@click.option("--allow-fetch", is_flag=True, help="Fetch revocation data online (B-LT, B-LTA).")
@trust_option
@pass_workspace
def sign(
    ws: Workspace,
    pdf: Path,
    role: str,
    output: Path,
    key: KeySource,
    level: str | None,
    tsa: str | None,
    with_validation_info: bool,
    crl: tuple[Path, ...],
    allow_fetch: bool,
    trust: tuple[Path, ...],
) -> None:
    """Sign the ROLE field of PDF with your own certificate and write the result to OUTPUT.

    The key is a PKCS#12 file (--p12) or a smartcard or other PKCS#11 token (--pkcs11-lib,
    --token-label, --key-label). The passphrase or PIN is read from --passphrase-file, from
    $MOUGEN_P12_PASSPHRASE or at a prompt; never from the command line.

    The signature is PAdES, added as an incremental update so earlier signatures stay valid.
    OUTPUT must be a new file. In a workspace whose tracker recorded the PDF's issue, the
    stamp names the council, and a programme certificate (`mougen ca issue`) is refused
    unless it was issued for this authority and ROLE; elsewhere only its role is checked.
    A certificate that the CRLs at hand revoke, that is out of date or that may not sign is
    refused. One whose root the workspace does not trust (a council's own CA, a self-signed
    certificate) signs at B-B or B-T with a warning: the coordinator must trust that root
    before the signature counts. B-LT and B-LTA need its chain: --chain, --trust, and --crl
    or --allow-fetch.
    """
    check_new_output(pdf, output)
    if level and with_validation_info and level != Level.B_LT:
        raise click.UsageError(f"--with-validation-info means B-LT, not {level}")
    chosen = Level(level) if level else Level.B_LT if with_validation_info else None
    roots = load_trust_roots([*workspace_trust_roots(ws), *trust])
    data = validation_data([*workspace_crls(ws), *crl], roots, allow_fetch=allow_fetch)
    with ExitStack() as stack:
        owner_of = _issue_lookup(ws, stack)
        signer = stack.enter_context(key.open())
        refuse_held_key(ws, signer.signing_cert)
        region = programme_region(ws, signer.signing_cert)
        tsa_url = tsa or (region.tsa_url if region else None)
        result = sign_pdf(
            pdf,
            role,
            signer,
            output,
            level=chosen,
            tsa_url=tsa_url,
            validation_data=data,
            owner_of=owner_of,
            when=wall_clock(),
        )
    who = printable(result.signer)
    click.echo(f"Signed {result.field} as {who} (PAdES {result.level}): {result.out}")
    if result.untrusted_root:
        warn(
            f"this certificate's root, {result.untrusted_root}, is not among the roots this "
            "workspace trusts: the coordinator must add it to region.trust_roots (or whoever "
            "verifies pass --trust) before the signature will count"
        )
    if result.note:
        click.echo(f"Note: {result.note}")  # slugs and repr()s: nothing to escape


def _issue_lookup(ws: Workspace, stack: ExitStack) -> Callable[[str], FieldOwner | None] | None:
    """Whom an issued PDF (by SHA-256) belongs to, from the workspace's tracker if it has one."""
    if not ws.has_tracker:
        return None
    return partial(issued_to, ws, stack.enter_context(Tracker.open(ws.db_url, readonly=True)))

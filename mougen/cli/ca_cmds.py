"""The programme CA's commands: ca init, issue, revoke, crl and list."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any

import click

from mougen.atomic import write_bytes
from mougen.cli.options import CA_PASSPHRASE_ENV, pass_workspace
from mougen.cli.secret_options import passphrase_file_option
from mougen.cli.tracking import open_tracker
from mougen.clock import wall_clock
from mougen.errors import MougenError, OutputError
from mougen.hsm import TokenSettings
from mougen.pki import (
    IssuedCertificate,
    ca_cert_path,
    configured_signatory,
    init_ca,
    load_ca,
    write_pkcs12,
)
from mougen.pki.binding import ProgrammeBinding
from mougen.pki.certs import new_key
from mougen.pki.ledger import LedgerEntry, load_ledger
from mougen.pki.lookup import authority as find_authority
from mougen.pki.revocation import (
    REASONS,
    Issuance,
    current_certificates,
    issue_recorded,
    publish_crl,
)
from mougen.remote.credentials import NO_TOKEN, destroy_keys, enrol, require_token, revoke_held
from mougen.roles import ROLE_IDS
from mougen.round.settings import load_token
from mougen.signing import read_passphrase
from mougen.workspace import Workspace

OUT_PASSPHRASE_ENV = "MOUGEN_P12_OUT_PASSPHRASE"

_file = click.Path(dir_okay=False, path_type=Path)
_region = click.option("--region", "region_id", help="The region, if the slug is in several.")


@click.group()
def ca() -> None:
    """Run a region's programme CA, for councils without signing certificates.

    The CA lives in <workspace>/ca/<region>/: ca.pem, ca.key (encrypted with a passphrase),
    ledger.json (every certificate issued, and its revocation) and crl.der (the current CRL,
    to publish at the region's crl_url). Its certificate is a trust root for the region.
    """


@ca.command("init")
@click.option("--region", "region_id", required=True, help="The region id, e.g. south-east.")
@passphrase_file_option("the new CA key's passphrase", CA_PASSPHRASE_ENV)
@pass_workspace
def ca_init(ws: Workspace, region_id: str, passphrase_file: Path | None) -> None:
    """Create the programme CA of a region (never replaces an existing one)."""
    secret = read_passphrase(
        passphrase_file, CA_PASSPHRASE_ENV, "New passphrase for the CA key", confirm=True
    )
    now = wall_clock()
    cert = init_ca(ws, region_id, secret, now)
    publish_crl(ws, load_ca(ws, region_id, secret), region_id, now)
    click.echo(f"Created the CA for {region_id}: {cert}")


@ca.command("issue")
@click.option("--authority", "-a", "slug", required=True, help="The authority's slug.")
@click.option("--role", required=True, type=click.Choice(ROLE_IDS), help="The signatory's role.")
@click.option("--name", help="The signatory's name (default: from the region config).")
@click.option("--email", help="The signatory's email (default: from the region config).")
@_region
@click.option("-o", "--output", type=_file, help="The PKCS#12 file to write.")
@click.option(
    "--in-token",
    is_flag=True,
    help="Generate the key inside the web service's PKCS#11 token (web.toml [token]) for "
    "remote signing, instead of writing a PKCS#12 file.",
)
@click.option(
    "--replace", is_flag=True, help="Revoke the role's current certificate and issue anew."
)
@passphrase_file_option("the CA key's passphrase", CA_PASSPHRASE_ENV)
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
    output: Path | None,
    in_token: bool,
    replace: bool,
    passphrase_file: Path | None,
    out_passphrase_file: Path | None,
) -> None:
    """Issue a signing certificate for an authority's signatory, as a PKCS#12 file.

    The certificate names the signatory (CN and email), their council (O) and role (OU), and
    may sign documents for two years. While the role's current certificate is valid, another
    is issued only with --replace, which revokes the current one (and destroys its key if the
    token holds it). With --in-token the key never leaves the token: the signatory signs from
    their web link, released by a code emailed to them.
    """
    region, who = configured_signatory(ws, slug, role, name=name, email=email, region_id=region_id)
    now = wall_clock()
    if in_token == (output is not None):
        raise click.UsageError("give exactly one of -o FILE and --in-token")
    if output is None:
        token = load_token(ws.root)
        if token is None:
            raise MougenError(NO_TOKEN)
        ca_secret = read_passphrase(passphrase_file, CA_PASSPHRASE_ENV, "Passphrase for the CA key")
        done = enrol(ws, load_ca(ws, region, ca_secret), who, token, when=now, replace=replace)
        _recorded(ws, done, now)
        click.echo(f"Issued {who.name} ({who.role_title}, {who.council}): key in the token")
        return
    token = _token_for(ws, who.binding, now) if replace else None
    if output.exists():  # before any secret is asked for, or anything issued
        raise OutputError("already exists; a key file is never overwritten", output)
    ca_secret = read_passphrase(passphrase_file, CA_PASSPHRASE_ENV, "Passphrase for the CA key")
    authority_ca = load_ca(ws, region, ca_secret)
    out_secret = read_passphrase(
        out_passphrase_file, OUT_PASSPHRASE_ENV, f"New passphrase for {output}", confirm=True
    )
    if not out_secret:
        raise MougenError("the PKCS#12 file needs a passphrase (it holds a private key)")
    key = new_key()
    done = issue_recorded(ws, authority_ca, who, key.public_key(), when=now, replace=replace)
    write_pkcs12(IssuedCertificate(done.cert, key, authority_ca.cert), output, out_secret)
    if token is not None:
        destroy_keys(token, done.replaced)
    _recorded(ws, done, now)
    click.echo(f"Issued {who.name} ({who.role_title}, {who.council}): {output}")
    click.echo(f"Trust root: {ca_cert_path(ws, region)}")


@ca.command("revoke")
@click.option("--authority", "-a", "slug", required=True, help="The authority's slug.")
@click.option("--role", required=True, type=click.Choice(ROLE_IDS), help="The signatory's role.")
@_region
@click.option(
    "--reason",
    type=click.Choice(list(REASONS)),
    default="unspecified",
    show_default=True,
    help="Why the certificate is revoked (RFC 5280).",
)
@passphrase_file_option("the CA key's passphrase", CA_PASSPHRASE_ENV)
@pass_workspace
def ca_revoke(
    ws: Workspace,
    slug: str,
    role: str,
    region_id: str | None,
    reason: str,
    passphrase_file: Path | None,
) -> None:
    """Revoke the current certificate of an authority's signatory, and remake the CRL.

    Signatures made before now stay valid where a timestamp proves when they were made.
    """
    region_file, _ = find_authority(ws, slug, region_id)
    region = region_file.region.id
    ca_secret = read_passphrase(passphrase_file, CA_PASSPHRASE_ENV, "Passphrase for the CA key")
    binding, now = ProgrammeBinding(region, slug, role), wall_clock()
    token = _token_for(ws, binding, now)  # before any secret is asked for
    authority_ca = load_ca(ws, region, ca_secret)
    for entry in revoke_held(ws, authority_ca, binding, reason, token, now):
        _record(ws, "cert-revoked", entry, now, reason=reason)
        held = " and destroyed its key in the token" if entry.token_key else ""
        click.echo(f"Revoked serial {entry.serial} ({entry.subject}){held}: {reason}")
    click.echo(f"Publish the new CRL: mougen ca crl --region {region} -o FILE")


@ca.command("crl")
@click.option("--region", "region_id", required=True, help="The region id.")
@click.option("-o", "--output", required=True, type=_file, help="Where to write the CRL (DER).")
@passphrase_file_option("the CA key's passphrase", CA_PASSPHRASE_ENV)
@pass_workspace
def ca_crl(ws: Workspace, region_id: str, output: Path, passphrase_file: Path | None) -> None:
    """Write a freshly signed CRL of the region CA, to publish at the region's crl_url."""
    ca_secret = read_passphrase(passphrase_file, CA_PASSPHRASE_ENV, "Passphrase for the CA key")
    der = publish_crl(ws, load_ca(ws, region_id, ca_secret), region_id, wall_clock())
    write_bytes(output, der)
    click.echo(f"Wrote the CRL of {region_id}: {output}")


@ca.command("list")
@click.option("--region", "region_id", help="Only this region's CA (default: every region).")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON list.")
@pass_workspace
def ca_list(ws: Workspace, region_id: str | None, as_json: bool) -> None:
    """List every certificate a programme CA issued, with its status."""
    regions = [region_id] if region_id else sorted({f.region.id for f in ws.catalog.files.values()})
    now = wall_clock()
    rows = [
        {"region": r, **entry.to_json(now)} for r in regions for entry in load_ledger(ws, r).entries
    ]
    if as_json:
        click.echo(json.dumps(rows, indent=2))
        return
    for row in rows:
        key = "token" if row["token_key"] else "file"
        click.echo(
            f"{row['status']:8} {row['serial']:>40}  until {row['not_after'][:10]}  "
            f"key:{key:5}  {row['binding']}  {row['subject']}"
        )


def _token_for(ws: Workspace, binding: ProgrammeBinding, now: datetime) -> TokenSettings | None:
    """The token's settings when a current certificate of ``binding`` has its key there
    (refused if none are configured); None otherwise, without reading them."""
    if not any(e.token_key for e in current_certificates(ws, binding, now)):
        return None
    return require_token(ws, binding, load_token(ws.root), now)


def _recorded(ws: Workspace, done: Issuance, now: datetime) -> None:
    """Log a new certificate, and the ones it replaced, in the tracker's audit log."""
    for old in done.replaced:
        _record(ws, "cert-revoked", old, now, reason="superseded")
    _record(ws, "cert-issued", done.entry, now)


def _record(ws: Workspace, kind: str, entry: LedgerEntry, now: datetime, **extra: Any) -> None:
    """Put a certificate's issue or revocation in the tracker's audit log."""
    detail = {k: v for k, v in entry.to_json(now).items() if k != "status"}
    with open_tracker(ws, write=True) as tracker:
        tracker.record_event(kind, entry.binding, {**detail, **extra})

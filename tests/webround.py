"""A workspace ready for a web signing round: signatory emails in config, a programme CA,
and a certificate per signatory, all made at run time."""

from __future__ import annotations

import secrets
import shutil
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from ruamel.yaml import YAML

from mougen.pki import configured_signatory, init_ca, issue_certificate, load_ca, write_pkcs12
from mougen.pki.ca import ca_dir
from mougen.roles import ROLE_IDS
from mougen.signing import load_pkcs12, sign_pdf
from mougen.workspace import Workspace
from tests.conftest import scratch_workspace

MOU = "se-2019-20"
AUTHORITY = "milton-keynes"
OTHER = "kent"
COORDINATOR = "sli@coordinator.example"


def email(slug: str, role: str) -> str:
    return f"{role}@{slug}.example"


def add_signatory_emails(
    ws: Workspace, slugs: tuple[str, ...] = (AUTHORITY, OTHER), region: str = "south-east"
) -> None:
    """Give each role of ``slugs`` in the ``region`` file a name and an email."""
    path = ws.regions_dir / f"{region}.yaml"
    yaml = YAML()
    data = yaml.load(path)
    for authority in data["authorities"]:
        if authority["slug"] in slugs:
            existing = authority.get("signatories") or {}
            authority["signatories"] = {
                role: {
                    "name": (existing.get(role) or {}).get("name")
                    or f"{role} of {authority['slug']}",
                    "email": email(authority["slug"], role),
                }
                for role in ROLE_IDS
            }
    yaml.dump(data, path)


@dataclass(frozen=True)
class Signers:
    """A PKCS#12 file per (authority, role), with the passphrase they share."""

    folder: Path
    passphrase: bytes

    def p12(self, slug: str, role: str) -> Path:
        return self.folder / f"{slug}--{role}.p12"

    def sign(self, pdf: Path, slug: str, role: str, out: Path) -> Path:
        sign_pdf(
            pdf,
            role,
            load_pkcs12(self.p12(slug, role), self.passphrase),
            out,
            when=datetime.now(UTC),
        )
        return out


def programme_signers(
    ws: Workspace, folder: Path, slugs: tuple[str, ...] = (AUTHORITY, OTHER)
) -> Signers:
    """The South East programme CA, and a certificate for each signatory of ``slugs``."""
    ca_pass = secrets.token_urlsafe(16).encode()
    region = ws.catalog.mou(MOU).region.id
    init_ca(ws, region, ca_pass, when=datetime.now(UTC))
    ca = load_ca(ws, region, ca_pass)
    signers = Signers(folder, secrets.token_urlsafe(16).encode())
    folder.mkdir(parents=True, exist_ok=True)
    for slug in slugs:
        for role in ROLE_IDS:
            _, who = configured_signatory(ws, slug, role)
            write_pkcs12(
                issue_certificate(ca, who, when=datetime.now(UTC)),
                signers.p12(slug, role),
                signers.passphrase,
            )
    return signers


@dataclass(frozen=True)
class Programme:
    """A programme made once (:func:`make_programme`) for many workspaces to take up."""

    region: str
    ca: Path
    signers: Signers

    def install(self, ws: Workspace) -> Signers:
        """Give ``ws`` (signatory emails added) this programme's CA; its signers."""
        shutil.copytree(self.ca, ca_dir(ws, self.region))
        return self.signers


def make_programme(folder: Path) -> Programme:
    """:func:`programme_signers` for both authorities, in a scratch workspace in ``folder``.

    Its certificates name the signatories that :func:`add_signatory_emails` configures, so
    they serve any copy of the bundled workspace given those emails.
    """
    ws = scratch_workspace(folder / "ws")
    add_signatory_emails(ws)
    signers = programme_signers(ws, folder / "keys")
    region = ws.catalog.mou(MOU).region.id
    return Programme(region, ca_dir(ws, region), signers)


def tracker_at_0004_with(url: str, name: str, password_hash: str) -> None:
    """Make ``url`` a tracker from before accounts had scopes (0004), with one account."""
    from datetime import UTC, datetime

    from sqlalchemy import text

    from mougen.tracker.database import make_engine
    from mougen.tracker.migrate import upgrade

    engine = make_engine(url)
    try:
        upgrade(engine, "0004")
        with engine.begin() as connection:
            connection.execute(
                text(
                    "INSERT INTO web_users (name, password_hash, failed_logins, created_at)"
                    " VALUES (:name, :hash, 2, :at)"
                ),
                {"name": name, "hash": password_hash, "at": datetime.now(UTC)},
            )
    finally:
        engine.dispose()

"""A small archive for tracker tests, made with the real pack and sign steps.

Each authority's pack is built (which writes its ``issued/`` manifest), its PDF signed
role by role, and every returned copy filed under ``signed/<mou>/<authority>/<sha256>.pdf``
as collect would, so later copies repeat earlier signatures.
"""

from __future__ import annotations

import hashlib
import shutil
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from mougen.pack import build_pack
from mougen.roles import ROLE_IDS
from mougen.signing import load_pkcs12, sign_pdf
from mougen.workspace import Workspace
from tests.pki import TestPki

MOU = "se-2018"
ISSUED_AT = datetime(2026, 2, 1, 10, 0, tzinfo=UTC)
_PASSPHRASE = b"test only"


@dataclass
class Archive:
    """What was built: the issued PDF hashes, and the files filed per authority, in order."""

    issued: dict[str, str] = field(default_factory=dict)
    filed: dict[str, list[Path]] = field(default_factory=dict)


def trust(ws: Workspace, root_pem: Path) -> None:
    """Make the South East region trust a root certificate (via ``trust_roots`` in its config)."""
    shutil.copy(root_pem, ws.root / "root.pem")
    region = ws.regions_dir / "south-east.yaml"
    line = "  id: south-east\n"
    region.write_text(region.read_text().replace(line, f"{line}  trust_roots: [root.pem]\n"))


def build_archive(ws: Workspace, pki: TestPki, signing: dict[str, int], work: Path) -> Archive:
    """Issue the MoU to each authority and file each copy as ``signing[slug]`` roles sign it."""
    archive = Archive()
    for slug, roles in signing.items():
        pack = build_pack(ws, MOU, slug, work, ISSUED_AT)
        archive.issued[slug] = pack.pdf_sha256
        archive.filed[slug] = []
        pdf = pack.folder / f"{MOU}--{slug}.pdf"
        for role in ROLE_IDS[:roles]:
            who = pki.signer(f"{role} of {slug}", f"{role}@{slug}.example")
            p12 = who.write_p12(work / f"{slug}-{role}.p12", _PASSPHRASE)
            signed = work / f"{slug}-{role}.pdf"
            sign_pdf(pdf, role, load_pkcs12(p12, _PASSPHRASE), signed, when=datetime.now(UTC))
            archive.filed[slug].append(_file(ws, slug, signed.read_bytes()))
            pdf = signed
    return archive


def _file(ws: Workspace, slug: str, pdf: bytes) -> Path:
    path = ws.signed_dir / MOU / slug / f"{hashlib.sha256(pdf).hexdigest()}.pdf"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(pdf)
    return path

"""Reading the auditor's trust roots and CRL files, each failure naming the file."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from asn1crypto import crl, pem, x509
from pyhanko.keys import load_certs_from_pemder_data

from mougen.errors import MougenError


def load_trust_roots(paths: Sequence[Path]) -> list[x509.Certificate]:
    """Every certificate in the PEM or DER files at ``paths``."""
    roots: list[x509.Certificate] = []
    for path in paths:
        try:
            found = list(load_certs_from_pemder_data(_read(path, "trust root")))
        except ValueError as exc:
            raise MougenError("not a PEM or DER certificate", path) from exc
        if not found:
            raise MougenError("no certificate in trust root file", path)
        roots.extend(found)
    return roots


def load_crls(paths: Sequence[Path]) -> list[crl.CertificateList]:
    """The CRL (PEM or DER) in each file at ``paths``."""
    return [_load_crl(path) for path in paths]


def _load_crl(path: Path) -> crl.CertificateList:
    data = _read(path, "CRL")
    try:
        if pem.detect(data):
            _, _, data = pem.unarmor(data)
        loaded = crl.CertificateList.load(data)
        _ = loaded.native  # asn1crypto parses lazily; force it so a bad file fails here
    except ValueError as exc:
        raise MougenError("not a PEM or DER CRL", path) from exc
    return loaded


def _read(path: Path, what: str) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise MougenError(f"cannot read {what} ({exc.strerror})", path) from exc

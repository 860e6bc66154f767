"""Signed PDFs for the verify tests: a rendered MoU, signed with pyHanko by test signers."""

from __future__ import annotations

import contextlib
import functools
import io
import json
from datetime import UTC, datetime
from pathlib import Path
from unittest import mock

from asn1crypto import crl as asn1_crl
from asn1crypto import keys as asn1_keys
from asn1crypto import ocsp as asn1_ocsp
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.x509.oid import AuthorityInformationAccessOID, ExtendedKeyUsageOID
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign import fields, signers
from pyhanko.sign.signers import pdf_signer
from pyhanko.sign.timestamps import DummyTimeStamper, TimeStamper
from pyhanko.sign.validation import DocumentSecurityStore
from pyhanko_certvalidator import ValidationContext
from pyhanko_certvalidator.policy_decl import (
    CertRevTrustPolicy,
    RevocationCheckingPolicy,
    RevocationCheckingRule,
)
from pyhanko_certvalidator.registry import SimpleCertificateStore

from mougen.render import render_authority
from mougen.roles import ROLE_IDS
from mougen.signing.keys import ParsedKeySigner
from mougen.workspace import BUNDLED, Workspace
from tests.pki import Issued, TestPki

DER = serialization.Encoding.DER
ISSUED_AT = datetime(2026, 9, 1, 9, 0, tzinfo=UTC)


@functools.cache
def issued_pdf() -> bytes:
    """The se-2018 MoU for Milton Keynes as ``render`` issues it: three empty signature fields."""
    rendered = render_authority(Workspace(BUNDLED), "se-2018", "milton-keynes", when=ISSUED_AT)
    return rendered.pdf


def asn1_cert(issued: Issued) -> asn1_x509.Certificate:
    return asn1_x509.Certificate.load(issued.cert.public_bytes(DER))


def pyhanko_signer(issued: Issued) -> signers.SimpleSigner:
    """A pyHanko signer holding ``issued``'s key and chain."""
    key = issued.key.private_bytes(
        DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    chain = [asn1_x509.Certificate.load(c.public_bytes(DER)) for c in issued.chain]
    return ParsedKeySigner(  # pyHanko's SimpleSigner, parsing the key once
        signing_cert=asn1_cert(issued),
        signing_key=asn1_keys.PrivateKeyInfo.load(key),
        cert_registry=SimpleCertificateStore.from_certs(chain),
    )


def sign(
    pdf: bytes,
    field: str,
    issued: Issued,
    *,
    pki: TestPki | None = None,
    crl: bytes | None = None,
    ocsp: bytes | None = None,
    cades: bool = False,
    timestamper: TimeStamper | None = None,
    claimed: datetime | None = None,
) -> bytes:
    """``pdf`` with ``field`` signed by ``issued``: adbe.pkcs7.detached, or with ``cades``
    ETSI.CAdES.detached (PAdES).

    With ``crl`` or ``ocsp`` (DER), that revocation data is embedded in the signature's
    adbe-revocationInfoArchival attribute, as pyHanko's ``embed_validation_info`` does.
    With ``timestamper``, the signature carries its timestamp token; with ``claimed``, the
    signer claims that signing time (in the CMS and in ``/M``) instead of now.
    """
    subfilter = (
        fields.SigSeedSubFilter.PADES if cades else fields.SigSeedSubFilter.ADOBE_PKCS7_DETACHED
    )
    meta = signers.PdfSignatureMetadata(field_name=field, subfilter=subfilter)
    if crl or ocsp:
        meta = signers.PdfSignatureMetadata(
            field_name=field,
            subfilter=subfilter,
            embed_validation_info=True,
            validation_context=_context(pki, crl, ocsp),
        )
    out = io.BytesIO()
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf), strict=False)
    with _signing_clock(claimed):
        signers.sign_pdf(
            writer, meta, signer=pyhanko_signer(issued), timestamper=timestamper, output=out
        )
    return out.getvalue()


@contextlib.contextmanager
def _signing_clock(claimed: datetime | None):
    """pyHanko's PDF signer believing it is ``claimed`` o'clock (unchanged if None)."""
    if claimed is None:
        yield
        return

    class Clock(datetime):
        @classmethod
        def now(cls, tz=None):
            return claimed.astimezone(tz)

    with mock.patch.object(pdf_signer, "datetime", Clock):
        yield


def tsa(pki: TestPki, name: str, *, eku=ExtendedKeyUsageOID.TIME_STAMPING) -> Issued:
    """A certificate from ``pki`` for a time-stamping authority with the extended key usage
    ``eku`` (critical, as RFC 3161 requires), or none at all if ``eku`` is None."""
    plain = pki.signer(name)
    kept = [e for e in plain.cert.extensions if not isinstance(e.value, x509.ExtendedKeyUsage)]
    builder = _rebuilt(plain, kept)
    if eku is not None:
        builder = builder.add_extension(x509.ExtendedKeyUsage([eku]), critical=True)
    return Issued(builder.sign(pki.root.key, hashes.SHA256()), plain.key, plain.chain)


def _rebuilt(plain: Issued, extensions: list[x509.Extension]) -> x509.CertificateBuilder:
    """A builder for ``plain``'s certificate again, with ``extensions`` instead of its own."""
    return x509.CertificateBuilder(
        issuer_name=plain.cert.issuer,
        subject_name=plain.cert.subject,
        public_key=plain.key.public_key(),
        serial_number=x509.random_serial_number(),
        not_valid_before=plain.cert.not_valid_before_utc,
        not_valid_after=plain.cert.not_valid_after_utc,
        extensions=extensions,
    )


def update(pdf: bytes, change) -> bytes:
    """``pdf`` plus an incremental update made by ``change(writer)``."""
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf), strict=False)
    change(writer)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def tsa_client(issued: Issued, at: datetime | None = None) -> TimeStamper:
    """A TSA in process, signing tokens with ``issued``'s key (dated ``at``, or now)."""
    key = issued.key.private_bytes(
        DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    return DummyTimeStamper(
        tsa_cert=asn1_cert(issued),
        tsa_key=asn1_keys.PrivateKeyInfo.load(key),
        certs_to_embed=SimpleCertificateStore.from_certs(
            [asn1_x509.Certificate.load(c.public_bytes(DER)) for c in issued.chain]
        ),
        fixed_dt=at,
        include_nonce=False,
    )


def add_dss(pdf: bytes, *, crl: bytes | None = None, ocsp: bytes | None = None) -> bytes:
    """``pdf`` with a DSS update holding ``crl`` and/or ``ocsp`` (DER) for its last signature."""
    from pyhanko.pdf_utils.reader import PdfFileReader

    last = PdfFileReader(io.BytesIO(pdf), strict=False).embedded_signatures[-1]
    out = io.BytesIO(pdf)
    DocumentSecurityStore.add_dss(
        out,
        last.pkcs7_content,
        crls=[asn1_crl.CertificateList.load(crl)] if crl else None,
        ocsps=[asn1_ocsp.OCSPResponse.load(ocsp)] if ocsp else None,
    )
    return out.getvalue()


def ocsp_declaring_signer(pki: TestPki, name: str, url: str = "http://ocsp.invalid/") -> Issued:
    """A signer whose certificate names an OCSP responder (``url``), as OCSP-checked ones do.

    pyHanko consults OCSP responses only for certificates that declare a responder.
    """
    plain = pki.signer(name)
    responder = x509.AccessDescription(
        AuthorityInformationAccessOID.OCSP, x509.UniformResourceIdentifier(url)
    )
    builder = _rebuilt(plain, list(plain.cert.extensions)).add_extension(
        x509.AuthorityInformationAccess([responder]), critical=False
    )
    return Issued(builder.sign(pki.root.key, hashes.SHA256()), plain.key, plain.chain)


def _context(pki: TestPki | None, crl: bytes | None, ocsp: bytes | None) -> ValidationContext:
    """What the signing tool embeds; it does not judge it (we sign with revoked keys too)."""
    roots = [asn1_cert(pki.root)] if pki else []
    no_check = RevocationCheckingPolicy(
        RevocationCheckingRule.NO_CHECK, RevocationCheckingRule.NO_CHECK
    )
    return ValidationContext(
        trust_roots=roots,
        crls=[asn1_crl.CertificateList.load(crl)] if crl else [],
        ocsps=[asn1_ocsp.OCSPResponse.load(ocsp)] if ocsp else [],
        allow_fetching=False,
        revinfo_policy=CertRevTrustPolicy(no_check),
    )


def sign_all(pdf: bytes, issued: Issued) -> bytes:
    """``pdf`` with every role's field signed in turn by ``issued``."""
    for role in ROLE_IDS:
        pdf = sign(pdf, role, issued)
    return pdf


def write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def verifier(run_cli, tmp_path: Path, pki: TestPki):
    """``run(data, *extra)``: verify ``data`` with the CLI, trusting ``pki``'s root; returns
    the exit code and the file's JSON report (and fails the test on a traceback)."""
    root = pki.root.write_pem(tmp_path / "root.pem")

    def run(data: bytes, *extra: str) -> tuple[int, dict]:
        pdf = write(tmp_path / "doc.pdf", data)
        result = run_cli("verify", str(pdf), "--trust", str(root), "--json", *extra)
        assert "Traceback" not in result.output
        [report] = json.loads(result.stdout)
        return result.exit_code, report

    return run

"""mougen sign: PAdES signatures on each role's field, the stamp, and every refusal."""

from __future__ import annotations

import asyncio
import hashlib
import io
import subprocess
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pkcs11
import pytest
from asn1crypto import keys, tsp
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from pyhanko.keys import load_cert_from_pemder
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.diff_analysis import ModificationLevel
from pyhanko.sign.signers import SimpleSigner
from pyhanko.sign.timestamps.dummy_client import DummyTimeStamper
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko_certvalidator import ValidationContext

from mougen.dates import day_in_words
from mougen.errors import OutputError
from mougen.roles import ROLE_IDS
from mougen.signing import SignResult, load_pkcs12, sign_pdf
from tests.background import serve_in_background
from tests.pdftext import pdftotext
from tests.pki import Issued, TestPki
from tests.signing import pdf_with_fields, pdfsig
from tests.verify_docs import issued_pdf

PASSPHRASE = "plum-Quartz-7731"
NAMES = {
    "dcs": "Michael Bracey",
    "lead-member": "Cllr Zoë Nolan",
    "chief-executive": "Carole Mills",
}


@dataclass
class Kit:
    """Everything a signing test needs, written into its tmp_path."""

    dir: Path
    root: Path
    pdf: Path
    p12: dict[str, Path]
    passphrase_file: Path


@pytest.fixture(autouse=True)
def _no_passphrase_in_env(monkeypatch) -> None:
    """A developer's own MOUGEN_P12_PASSPHRASE must not change what these tests see."""
    monkeypatch.delenv("MOUGEN_P12_PASSPHRASE", raising=False)


@pytest.fixture(scope="module")
def signers(pki: TestPki) -> dict[str, Issued]:
    return {role: pki.signer(name, f"{role}@example.gov.uk") for role, name in NAMES.items()}


@pytest.fixture
def kit(tmp_path: Path, pki: TestPki, signers: dict[str, Issued]) -> Kit:
    p12 = {r: s.write_p12(tmp_path / f"{r}.p12", PASSPHRASE.encode()) for r, s in signers.items()}
    secret = tmp_path / "passphrase.txt"
    secret.write_text(PASSPHRASE + "\n")
    pdf = tmp_path / "mou.pdf"
    pdf.write_bytes(issued_pdf())
    return Kit(tmp_path, pki.root.write_pem(tmp_path / "root.pem"), pdf, p12, secret)


def sign(run_cli, kit: Kit, role: str, pdf: Path, out: Path, *extra: str, **kwargs):
    """Run ``mougen sign`` with the role's PKCS#12 file and the passphrase file."""
    args = ["sign", str(pdf), "--role", role, "--p12", str(kit.p12[role]), "-o", str(out)]
    if "env" not in kwargs and "input" not in kwargs:
        args += ["--passphrase-file", str(kit.passphrase_file)]
    return run_cli(*args, *extra, **kwargs)


def statuses(pdf: Path, root: Path, **kwargs) -> list:
    """pyHanko's validation status of each signature in ``pdf``, with ``root`` trusted."""
    context = ValidationContext(trust_roots=[load_cert_from_pemder(str(root))])
    with pdf.open("rb") as handle:
        reader = PdfFileReader(handle, strict=False)
        return [
            validate_pdf_signature(sig, context, **kwargs) for sig in reader.embedded_signatures
        ]


def assert_refused(result, out: Path, *words: str, exit_code: int = 1) -> None:
    """One ``mougen:`` line naming the problem, the exit code, and no output at all."""
    assert result.exit_code == exit_code, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("mougen: "), result.stderr
    for word in words:
        assert word in lines[0]
    assert not out.exists()
    assert not [p for p in out.parent.iterdir() if p.name.endswith(".tmp")]


def test_three_roles_sign_in_turn_and_every_signature_stays_valid(run_cli, kit: Kit):
    pdf = kit.pdf
    for role in ROLE_IDS:
        out = kit.dir / f"after-{role}.pdf"
        result = sign(run_cli, kit, role, pdf, out)
        assert result.exit_code == 0, result.output
        assert f"Signed {role} as {NAMES[role]} (PAdES B-B)" in result.stdout
        pdf = out

    with pdf.open("rb") as handle:
        reader = PdfFileReader(handle, strict=False)
        assert reader.xrefs.total_revisions == 1 + 3  # the issued PDF is one revision
        assert [s.field_name for s in reader.embedded_signatures] == list(ROLE_IDS)
    for role, status in zip(ROLE_IDS, statuses(pdf, kit.root), strict=True):
        assert status.intact and status.valid and status.trusted, status.summary()
        assert status.modification_level <= ModificationLevel.FORM_FILLING
        assert status.signing_cert.subject.native["common_name"] == NAMES[role]
    subprocess.run(["qpdf", "--check", str(pdf)], check=True, capture_output=True)


def test_library_call_reports_what_it_wrote(kit: Kit):
    signer = load_pkcs12(kit.p12["dcs"], PASSPHRASE.encode())
    out = kit.dir / "signed.pdf"
    result = sign_pdf(kit.pdf, "dcs", signer, out, when=datetime.now(UTC))
    assert result == SignResult(
        out, "dcs", NAMES["dcs"], "B-B", hashlib.sha256(out.read_bytes()).hexdigest()
    )
    assert out.read_bytes().startswith(kit.pdf.read_bytes())  # an incremental update


def test_a_loaded_signer_signs_as_pyhankos_own_does(kit: Kit):
    """load_pkcs12's signer parses its key once; its signature values are pyHanko's, byte for
    byte (RSA PKCS#1 v1.5 is deterministic)."""
    ours = load_pkcs12(kit.p12["dcs"], PASSPHRASE.encode())
    theirs = SimpleSigner.load_pkcs12_data(kit.p12["dcs"].read_bytes(), None, PASSPHRASE.encode())
    for digest in ("sha256", "sha512"):
        assert ours.sign_raw(b"a MoU", digest) == theirs.sign_raw(b"a MoU", digest)
    assert ours.sign_raw(b"a MoU", "sha256") != theirs.sign_raw(b"another MoU", "sha256")


def test_pdfsig_reports_each_signature_valid_and_trusted(run_cli, kit: Kit):
    pdf = kit.pdf
    for role in ROLE_IDS:
        out = kit.dir / f"after-{role}.pdf"
        assert sign(run_cli, kit, role, pdf, out).exit_code == 0
        pdf = out
    report = pdfsig(pdf, [kit.root], kit.dir)
    assert report.count("Signature Validation: Signature is Valid.") == 3, report
    assert report.count("Certificate Validation: Certificate is Trusted.") == 3, report
    for role in ROLE_IDS:
        assert f"Signature Field Name: {role}" in report


def test_visible_stamp_shows_name_role_title_and_date(run_cli, kit: Kit):
    out = kit.dir / "signed.pdf"
    assert sign(run_cli, kit, "lead-member", kit.pdf, out).exit_code == 0
    title = "Lead Member for Children’s Services"
    before, after = pdftotext(kit.pdf, raw=False), pdftotext(out, raw=False)
    assert "Cllr Zoë Nolan\n" in after  # the name on a line of its own
    assert after.count(title) == before.count(title) + 1
    # the time may wrap onto a line of its own in the field
    assert "Digitally signed " + day_in_words(datetime.now(UTC)) in " ".join(after.split())


def test_passphrase_from_the_environment(run_cli, kit: Kit):
    out = kit.dir / "signed.pdf"
    result = sign(run_cli, kit, "dcs", kit.pdf, out, env={"MOUGEN_P12_PASSPHRASE": PASSPHRASE})
    assert result.exit_code == 0, result.output
    assert PASSPHRASE not in result.output
    assert statuses(out, kit.root)[0].intact


def test_passphrase_from_a_hidden_prompt(run_cli, kit: Kit):
    out = kit.dir / "signed.pdf"
    result = sign(run_cli, kit, "dcs", kit.pdf, out, input=PASSPHRASE + "\n")
    assert result.exit_code == 0, result.output
    assert "Passphrase for" in result.output
    assert PASSPHRASE not in result.output


def test_no_passphrase_and_no_terminal_is_one_clear_line(run_cli, kit: Kit):
    out = kit.dir / "signed.pdf"
    result = sign(run_cli, kit, "dcs", kit.pdf, out, input="")
    assert result.exit_code == 1
    assert "no passphrase given" in result.stderr and "Aborted" not in result.output
    assert not out.exists()


def test_a_missing_key_file_is_named_before_any_passphrase_is_asked(run_cli, kit: Kit):
    out = kit.dir / "signed.pdf"
    args = ["sign", str(kit.pdf), "--role", "dcs", "--p12", str(kit.dir / "nope.p12")]
    result = run_cli(*args, "-o", str(out), input="")
    assert result.exit_code == 2
    assert "nope.p12" in result.output and "Passphrase" not in result.output


def test_passphrase_is_never_an_argument(run_cli, kit: Kit):
    out = kit.dir / "signed.pdf"
    result = sign(run_cli, kit, "dcs", kit.pdf, out, "--passphrase", PASSPHRASE)
    assert result.exit_code == 2
    assert not out.exists()


def test_wrong_passphrase_is_refused_without_echoing_it(run_cli, kit: Kit):
    out = kit.dir / "signed.pdf"
    kit.passphrase_file.write_text("not-the-passphrase")
    result = sign(run_cli, kit, "dcs", kit.pdf, out)
    assert_refused(result, out, "wrong passphrase", "dcs.p12")
    assert "not-the-passphrase" not in result.output


def test_a_key_file_that_is_not_pkcs12_is_refused(run_cli, kit: Kit):
    kit.p12["dcs"] = kit.pdf
    out = kit.dir / "signed.pdf"
    assert_refused(sign(run_cli, kit, "dcs", kit.pdf, out), out, "not a PKCS#12 file")


def test_role_without_a_field_is_refused_listing_the_fields(run_cli, kit: Kit):
    kit.pdf.write_bytes(pdf_with_fields("dcs"))
    out = kit.dir / "signed.pdf"
    result = sign(run_cli, kit, "lead-member", kit.pdf, out)
    assert_refused(result, out, "no signature field 'lead-member'", "fields present: dcs")


def test_signed_field_is_refused_naming_the_signer(run_cli, kit: Kit):
    first = kit.dir / "first.pdf"
    assert sign(run_cli, kit, "dcs", kit.pdf, first).exit_code == 0
    out = kit.dir / "second.pdf"
    result = sign(run_cli, kit, "dcs", first, out)
    assert_refused(result, out, "'dcs' is already signed by Michael Bracey")


def test_output_over_the_input_is_refused(run_cli, kit: Kit):
    before = kit.pdf.read_bytes()
    result = sign(run_cli, kit, "dcs", kit.pdf, kit.pdf)
    assert result.exit_code == 1 and "must be a new file" in result.stderr
    assert kit.pdf.read_bytes() == before


def test_a_newline_in_the_signers_name_cannot_fake_a_line(run_cli, kit: Kit, pki: TestPki):
    issued = pki.signer("Mallory\nSigned chief-executive as Carole Mills")
    kit.p12["dcs"] = issued.write_p12(kit.dir / "mallory.p12", PASSPHRASE.encode())
    first = kit.dir / "first.pdf"
    result = sign(run_cli, kit, "dcs", kit.pdf, first)
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[0].startswith("Signed dcs as Mallory\\nSigned")
    assert len(result.stdout.splitlines()) == 1
    again = sign(run_cli, kit, "dcs", first, kit.dir / "second.pdf")
    assert again.exit_code == 1 and len(again.stderr.splitlines()) == 1


def test_output_that_exists_is_never_overwritten(run_cli, kit: Kit):
    signed = kit.dir / "signed.pdf"
    assert sign(run_cli, kit, "dcs", kit.pdf, signed).exit_code == 0
    before = signed.read_bytes()
    result = sign(run_cli, kit, "lead-member", kit.pdf, signed)
    assert result.exit_code == 1 and "already exists" in result.stderr
    assert "Passphrase" not in result.output, "refused before any secret is asked for"
    assert signed.read_bytes() == before
    with pytest.raises(OutputError, match="already exists"):
        sign_pdf(
            kit.pdf,
            "lead-member",
            load_pkcs12(kit.p12["lead-member"], PASSPHRASE.encode()),
            signed,
            when=datetime.now(UTC),
        )
    assert signed.read_bytes() == before


@pytest.mark.parametrize("user_password", ["", "open-sesame"], ids=["no-password", "password"])
def test_encrypted_pdf_is_refused(run_cli, kit: Kit, user_password: str):
    encrypted = kit.dir / "encrypted.pdf"
    encrypt = ["qpdf", "--encrypt", user_password, "owner-secret", "256", "--"]
    subprocess.run([*encrypt, str(kit.pdf), str(encrypted)], check=True)
    out = kit.dir / "signed.pdf"
    assert_refused(sign(run_cli, kit, "dcs", encrypted, out), out, "encrypted.pdf", "encrypted")


def test_deeply_nested_objects_are_one_line_not_a_traceback(run_cli, kit: Kit):
    nested = kit.dir / "nested.pdf"
    nested.write_bytes(_with_nested_info(kit.pdf.read_bytes(), depth=5000))
    out = kit.dir / "signed.pdf"
    result = sign(run_cli, kit, "dcs", nested, out)
    assert_refused(result, out, "nested.pdf", "nested too deeply", exit_code=2)


def _with_nested_info(pdf: bytes, depth: int) -> bytes:
    """``pdf`` with an update whose /Info /Title is ``depth`` arrays deep, as pyHanko's own
    writer cannot write one (it recurses as deep as the reader does)."""
    reader = PdfFileReader(io.BytesIO(pdf), strict=False)
    number = int(reader.trailer["/Size"])
    root = reader.trailer.raw_get("/Root")
    body = b"%d 0 obj\n<< /Title %s%s >>\nendobj\n" % (number, b"[" * depth, b"]" * depth)
    xref = b"xref\n%d 1\n%010d 00000 n \n" % (number, len(pdf))
    trailer = b"trailer\n<< /Size %d /Root %d %d R /Info %d 0 R /Prev %d >>\n" % (
        number + 1,
        root.idnum,
        root.generation,
        number,
        reader.last_startxref,
    )
    startxref = b"startxref\n%d\n%%%%EOF\n" % (len(pdf) + len(body))
    return pdf + body + xref + trailer + startxref


@pytest.mark.parametrize(
    ("validity", "problem"),
    [
        ((-400, -1), "expired on"),
        ((10, 400), "not valid until"),
    ],
    ids=["expired", "not-yet-valid"],
)
def test_certificate_out_of_date_is_refused(run_cli, kit: Kit, pki: TestPki, validity, problem):
    now = datetime.now(UTC)
    issued = pki.signer(
        "Out Of Date",
        not_before=now + timedelta(days=validity[0]),
        not_after=now + timedelta(days=validity[1]),
    )
    kit.p12["dcs"] = issued.write_p12(kit.dir / "dated.p12", PASSPHRASE.encode())
    out = kit.dir / "signed.pdf"
    assert_refused(sign(run_cli, kit, "dcs", kit.pdf, out), out, "Out Of Date", problem)


def test_certificate_that_may_not_sign_is_refused(run_cli, kit: Kit, pki: TestPki):
    issued = pki.signer("Key Encipherer", can_sign=False)
    kit.p12["dcs"] = issued.write_p12(kit.dir / "encipher.p12", PASSPHRASE.encode())
    out = kit.dir / "signed.pdf"
    result = sign(run_cli, kit, "dcs", kit.pdf, out)
    assert_refused(result, out, "may not sign documents", "key_encipherment")


@pytest.mark.parametrize(
    "content",
    [b"Dear all, please sign.\n", b"", issued_pdf()[:-300]],
    ids=["text", "empty", "truncated"],
)
def test_input_that_is_not_a_pdf_exits_2(run_cli, kit: Kit, content: bytes):
    kit.pdf.write_bytes(content)
    out = kit.dir / "signed.pdf"
    assert_refused(sign(run_cli, kit, "dcs", kit.pdf, out), out, "mou.pdf", exit_code=2)


def test_missing_input_exits_2(run_cli, kit: Kit):
    out = kit.dir / "signed.pdf"
    result = sign(run_cli, kit, "dcs", kit.dir / "absent.pdf", out)
    assert_refused(result, out, "absent.pdf", "No such file", exit_code=2)


def test_validation_info_embeds_the_chain_and_crl_in_a_dss(run_cli, kit: Kit, pki: TestPki):
    crl = pki.write_crl(kit.dir / "root.crl")
    out = kit.dir / "signed.pdf"
    with tsa_server(pki) as url:  # B-LT builds on B-T: it needs a timestamp
        args = ("--with-validation-info", "--crl", str(crl), "--tsa", url)
        result = sign(run_cli, kit, "dcs", kit.pdf, out, *args)
    assert result.exit_code == 0, result.output
    assert "PAdES B-LT" in result.stdout
    with out.open("rb") as handle:
        dss = PdfFileReader(handle, strict=False).root["/DSS"]
        assert len(dss["/Certs"]) >= 2  # the signer's and the root's
        assert len(dss["/CRLs"]) == 1
    (status,) = statuses(out, kit.root)
    assert status.intact and status.valid and status.trusted, status.summary()
    assert "Signature is Valid." in pdfsig(out, [kit.root], kit.dir)


def test_b_lt_without_a_timestamp_or_revocation_data_is_refused(run_cli, kit: Kit, pki):
    out = kit.dir / "signed.pdf"
    result = sign(run_cli, kit, "dcs", kit.pdf, out, "--with-validation-info")
    assert_refused(result, out, "needs a timestamp")
    with tsa_server(pki) as url:
        result = sign(run_cli, kit, "dcs", kit.pdf, out, "--level", "B-LT", "--tsa", url)
    assert_refused(result, out, "cannot make PAdES B-LT: no CRL or OCSP response for")


def test_a_certificate_revoked_by_a_crl_at_hand_is_refused(run_cli, kit: Kit, pki, signers):
    crl = pki.write_crl(kit.dir / "root.crl", [(signers["dcs"], datetime.now(UTC))])
    out = kit.dir / "signed.pdf"
    result = sign(run_cli, kit, "dcs", kit.pdf, out, "--crl", str(crl))
    assert_refused(result, out, "is revoked")


def test_tsa_url_adds_a_signature_timestamp(run_cli, kit: Kit, pki: TestPki):
    with tsa_server(pki) as url:
        out = kit.dir / "signed.pdf"
        result = sign(run_cli, kit, "dcs", kit.pdf, out, "--tsa", url)
    assert result.exit_code == 0, result.output
    assert "PAdES B-T" in result.stdout
    (status,) = statuses(out, kit.root)
    assert status.timestamp_validity is not None
    assert status.timestamp_validity.intact and status.timestamp_validity.valid


def test_unreachable_tsa_is_refused(run_cli, kit: Kit):
    out = kit.dir / "signed.pdf"
    result = sign(run_cli, kit, "dcs", kit.pdf, out, "--tsa", "http://127.0.0.1:9/")
    assert_refused(result, out, "timestamp server http://127.0.0.1:9/ failed")


def test_validation_info_with_a_tsa_of_another_root_is_one_line(run_cli, kit: Kit):
    with tsa_server(TestPki("Another TSA Root")) as url:
        out = kit.dir / "signed.pdf"
        result = sign(run_cli, kit, "dcs", kit.pdf, out, "--tsa", url, "--with-validation-info")
    assert_refused(result, out, "mou.pdf", "cannot make PAdES B-LT")
    assert "Traceback" not in result.output and "PathBuildingError" not in result.output


class _Tsa(BaseHTTPRequestHandler):
    """An RFC 3161 timestamp authority over HTTP, answering with pyHanko's dummy stamper."""

    stamper: DummyTimeStamper

    def do_POST(self) -> None:
        request = tsp.TimeStampReq.load(self.rfile.read(int(self.headers["Content-Length"])))
        reply = asyncio.run(self.stamper.async_request_tsa_response(request)).dump()
        self.send_response(200)
        self.send_header("Content-Type", "application/timestamp-reply")
        self.send_header("Content-Length", str(len(reply)))
        self.end_headers()
        self.wfile.write(reply)

    def log_message(self, *args) -> None:
        pass


class tsa_server:
    """A local TSA whose certificate the test root issued; yields its URL."""

    def __init__(self, pki: TestPki):
        issued = _tsa_certificate(pki)
        stamper = DummyTimeStamper(
            asn1_x509.Certificate.load(issued.cert.public_bytes(serialization.Encoding.DER)),
            keys.PrivateKeyInfo.load(
                issued.key.private_bytes(
                    serialization.Encoding.DER,
                    serialization.PrivateFormat.PKCS8,
                    serialization.NoEncryption(),
                )
            ),
        )
        self.server = ThreadingHTTPServer(
            ("127.0.0.1", 0), type("Tsa", (_Tsa,), {"stamper": stamper})
        )

    def __enter__(self) -> str:
        serve_in_background(self.server)
        return f"http://127.0.0.1:{self.server.server_port}/"

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()


def _tsa_certificate(pki: TestPki) -> Issued:
    key = pki.signer("unused").key  # any fresh RSA key will do
    now = datetime.now(UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "mougen Test TSA")]))
        .issuer_name(pki.root.cert.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=30))
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.TIME_STAMPING]), critical=True)
        .sign(pki.root.key, hashes.SHA256())
    )
    return Issued(cert, key, [pki.root.cert])


# --- PKCS#11, against a SoftHSM2 token made for this module ---------------------------------

SOFTHSM_LIBS = [
    Path("/usr/lib/softhsm/libsofthsm2.so"),
    Path("/usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so"),
    Path("/usr/lib/aarch64-linux-gnu/softhsm/libsofthsm2.so"),
]
SOFTHSM = next((p for p in SOFTHSM_LIBS if p.is_file()), None)
PIN = "4682"


@dataclass
class Token:
    """A SoftHSM2 token holding one signer's key and certificate under the label ``signer``."""

    library: Path
    label: str
    pin_file: Path


@pytest.fixture(scope="module")
def token(tmp_path_factory, signers: dict[str, Issued]):
    if SOFTHSM is None:
        pytest.skip("the SoftHSM2 PKCS#11 library (Debian package softhsm2) is not installed")
    home = tmp_path_factory.mktemp("softhsm")
    (home / "tokens").mkdir()
    conf = home / "softhsm2.conf"
    conf.write_text(f"directories.tokendir = {home / 'tokens'}\nobjectstore.backend = file\n")
    issued = signers["chief-executive"]
    key_pem = home / "key.pem"
    key_pem.write_bytes(
        issued.key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("SOFTHSM2_CONF", str(conf))
        hsm = ["softhsm2-util", "--pin", PIN]
        subprocess.run(
            [*hsm, "--init-token", "--free", "--label", "mougen", "--so-pin", "12345678"],
            check=True,
            capture_output=True,
        )
        subprocess.run(
            [
                *hsm,
                "--import",
                str(key_pem),
                "--token",
                "mougen",
                "--label",
                "signer",
                "--id",
                "01",
            ],
            check=True,
            capture_output=True,
        )
        key_pem.unlink()
        _store_certificate(SOFTHSM, "mougen", issued.cert)
        pin_file = home / "pin.txt"
        pin_file.write_text(PIN)
        yield Token(SOFTHSM, "mougen", pin_file)


def _store_certificate(library: Path, label: str, cert: x509.Certificate) -> None:
    """Put the certificate on the token beside its key, with the same label and id."""
    from pkcs11 import Attribute, CertificateType, ObjectClass

    token = pkcs11.lib(str(library)).get_token(token_label=label)
    with token.open(rw=True, user_pin=PIN) as session:
        session.create_object(
            {
                Attribute.CLASS: ObjectClass.CERTIFICATE,
                Attribute.CERTIFICATE_TYPE: CertificateType.X_509,
                Attribute.TOKEN: True,
                Attribute.LABEL: "signer",
                Attribute.ID: b"\x01",
                Attribute.SUBJECT: cert.subject.public_bytes(),
                Attribute.VALUE: cert.public_bytes(serialization.Encoding.DER),
            }
        )


def sign_with_token(run_cli, kit: Kit, token: Token, out: Path, *extra: str):
    return run_cli(
        "sign", str(kit.pdf), "--role", "chief-executive", "-o", str(out),
        "--pkcs11-lib", str(token.library), "--token-label", token.label,
        "--passphrase-file", str(token.pin_file), "--chain", str(kit.root), *extra,
    )  # fmt: skip


def test_pkcs11_token_signs_and_pdfsig_accepts_it(run_cli, kit: Kit, token: Token):
    out = kit.dir / "signed.pdf"
    result = sign_with_token(run_cli, kit, token, out, "--key-label", "signer")
    assert result.exit_code == 0, result.output
    assert "Signed chief-executive as Carole Mills" in result.stdout
    (status,) = statuses(out, kit.root)
    assert status.intact and status.valid and status.trusted, status.summary()
    report = pdfsig(out, [kit.root], kit.dir)
    assert "Signature is Valid." in report and "Certificate is Trusted." in report


def test_pkcs11_wrong_pin_is_refused(run_cli, kit: Kit, token: Token, tmp_path: Path):
    wrong = tmp_path / "wrong-pin.txt"
    wrong.write_text("0000")
    token = Token(token.library, token.label, wrong)
    out = kit.dir / "signed.pdf"
    result = sign_with_token(run_cli, kit, token, out, "--key-label", "signer")
    assert_refused(result, out, "wrong PIN for token 'mougen'")


def test_pkcs11_unknown_key_label_is_refused(run_cli, kit: Kit, token: Token):
    out = kit.dir / "signed.pdf"
    result = sign_with_token(run_cli, kit, token, out, "--key-label", "nobody")
    assert_refused(result, out, "token 'mougen'", "nobody")


def test_exactly_one_key_source_is_required(run_cli, kit: Kit):
    out = kit.dir / "signed.pdf"
    result = run_cli("sign", str(kit.pdf), "--role", "dcs", "-o", str(out))
    assert result.exit_code == 2 and "--p12 or --pkcs11-lib" in result.output

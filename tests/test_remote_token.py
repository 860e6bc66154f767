"""Programme keys held in the server's token: settings, keys made inside a SoftHSM2 token,
certificates bound like ``ca issue``'s, signing a field with them, and revocation."""

from __future__ import annotations

import hashlib
import json
import sys
from datetime import UTC, datetime
from functools import partial
from pathlib import Path

import pytest
from asn1crypto import crl
from cryptography import x509
from pyhanko.keys import load_cert_from_pemder
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import DocumentSecurityStore, validate_pdf_signature
from pyhanko_certvalidator import ValidationContext

from mougen.digest import sha256_hex
from mougen.errors import ConfigError, SigningError
from mougen.hsm import PIN_ENV, TokenSettings, check_token, key_facts, token_session, token_settings
from mougen.pki.binding import ProgrammeBinding
from mougen.pki.ledger import load_ledger
from mougen.remote.claims import Claims
from mougen.remote.codes import ActivationCodes, Client, CodeBinding, Outcome
from mougen.remote.release import release
from mougen.remote.sign import sign_with_token, signed_in_token
from mougen.roles import ROLE_IDS
from mougen.signing import issued_to
from mougen.tracker import Tracker
from tests.programme import AUTHORITY, REGION, Programme, make_programme
from tests.signing import pdfsig
from tests.softhsm import PIN, SoftToken, soft_token
from tests.trust_services import TrustServices
from tests.verify_docs import issued_pdf

PYHANKO = str(Path(sys.executable).with_name("pyhanko"))


@pytest.fixture(scope="module")
def held(tmp_path_factory) -> tuple[Programme, SoftToken]:
    """The programme with every Milton Keynes signatory's key moved into a fresh token."""
    with TrustServices() as services, soft_token(tmp_path_factory.mktemp("softhsm")) as token:
        programme = make_programme(tmp_path_factory.mktemp("programme"), services)
        (programme.ws.root / "web.toml").write_text(token.web_toml())
        region_yaml = programme.ws.root / "regions" / "south-east.yaml"
        named = "chief-executive: {name: Carole Mills, email: carole.mills@example.org}"
        region_yaml.write_text(
            region_yaml.read_text().replace("chief-executive: {name: Carole Mills}", named)
        )
        for role in ROLE_IDS:
            result = programme.ca(
                "issue", "--authority", AUTHORITY, "--role", role, "--in-token", "--replace"
            )
            assert result.exit_code == 0, result.output
            assert PIN not in result.output
        yield programme, token


def _binding(role: str) -> ProgrammeBinding:
    return ProgrammeBinding(REGION, AUTHORITY, role)


def _held_entry(programme: Programme, role: str):
    (entry,) = [
        e
        for e in load_ledger(programme.ws, REGION).for_binding(_binding(role).uri)
        if e.revoked_at is None
    ]
    return entry


# -- settings -------------------------------------------------------------------------------


def test_pin_comes_from_a_file_or_the_environment_and_is_never_shown(tmp_path, monkeypatch):
    settings = tmp_path / "web.toml"
    pin_file = tmp_path / "pin"
    pin_file.write_text("493021\n")
    table = {"library": "/lib/p11.so", "label": "t", "pin_file": str(pin_file)}
    token = token_settings(table, settings)
    assert token == TokenSettings(Path("/lib/p11.so"), "t", b"493021")
    assert "493021" not in repr(token)
    monkeypatch.setenv(PIN_ENV, "118822")
    assert token_settings({"library": "/l.so", "label": "t"}, settings).pin == b"118822"


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ({"pin_file": "gone"}, "token.pin_file: cannot read gone (No such file or directory)"),
        ({}, f"token: no PIN (set token.pin_file, or {PIN_ENV})"),
        ({"pin": "1234"}, "token.pin: unknown key"),
        ({"label": 7}, "token.label: expected a non-empty string"),
    ],
)
def test_bad_token_settings_are_one_line_naming_the_file(tmp_path, monkeypatch, table, message):
    monkeypatch.delenv(PIN_ENV, raising=False)
    monkeypatch.chdir(tmp_path)
    settings = tmp_path / "web.toml"
    with pytest.raises(ConfigError) as caught:
        token_settings({"library": "/l.so", "label": "t", **table}, settings)
    assert str(caught.value) == f"{settings}: {message}"
    assert "1234" not in str(caught.value)


def test_wrong_pin_is_one_line_without_the_pin(held):
    _, token = held
    wrong = TokenSettings(token.settings.library, token.settings.label, b"000999")
    with pytest.raises(SigningError) as caught:
        check_token(wrong)
    assert str(caught.value) == "wrong PIN for token 'mougen-remote'"
    check_token(token.settings)


# -- keys and certificates ------------------------------------------------------------------


def test_keys_are_made_in_the_token_sensitive_and_not_extractable(held):
    programme, token = held
    with token_session(token.settings) as session:
        for role in ROLE_IDS:
            facts = key_facts(session, str(_held_entry(programme, role).token_key))
            assert facts is not None
            assert facts.sensitive and facts.always_sensitive
            assert not facts.extractable and facts.never_extractable


def test_token_certificates_carry_the_binding_of_ca_issue(held):
    programme, _ = held
    entry = _held_entry(programme, "chief-executive")
    cert = entry.certificate
    alt = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert alt.get_values_for_type(x509.UniformResourceIdentifier) == [
        f"urn:mougen:{REGION}:{AUTHORITY}:chief-executive"
    ]
    assert "CN=Carole Mills" in cert.subject.rfc4514_string()
    assert "O=Milton Keynes Council" in cert.subject.rfc4514_string()
    assert alt.get_values_for_type(x509.RFC822Name) == ["carole.mills@example.org"]


def test_ca_list_shows_which_keys_are_in_the_token(held):
    programme, _ = held
    listed = json.loads(programme.run("ca", "list", "--json").stdout)
    rows = [r for r in listed if f":{AUTHORITY}:" in r["binding"]]
    current = [r for r in rows if r["status"] == "valid"]
    assert len(current) == 3 and all(r["token_key"] for r in current)
    superseded = [r for r in rows if r["status"] == "revoked"]
    assert len(superseded) == 3 and not any(r["token_key"] for r in superseded)
    table = [line for line in programme.run("ca", "list").stdout.splitlines() if AUTHORITY in line]
    assert sum("key:token" in line for line in table) == 3
    assert sum("key:file" in line for line in table) == 3


# -- signing --------------------------------------------------------------------------------


def _sign_all(programme: Programme, token: SoftToken, folder: Path) -> Path:
    pdf = folder / "issued.pdf"
    pdf.write_bytes(issued_pdf())
    with Tracker.open(programme.ws.db_url, readonly=True) as tracker:
        owner_of = partial(issued_to, programme.ws, tracker)
        for role in ROLE_IDS:
            out = folder / f"{role}.pdf"
            result = sign_with_token(
                programme.ws,
                pdf,
                _binding(role),
                token.settings,
                out,
                owner_of=owner_of,
                when=datetime.now(UTC),
            )
            assert result.level == "B-T" and result.field == role
            pdf = out
    return pdf


def test_token_signatures_verify_with_mougen_pyhanko_and_pdfsig(held, tmp_path: Path):
    programme, token = held
    signed = _sign_all(programme, token, tmp_path)
    code, report = programme.verify(signed)
    assert code == 0, report
    assert report["missing_roles"] == []
    assert [s["indication"] for s in report["signatures"]] == ["TOTAL_PASSED"] * 3
    assert {s["field"] for s in report["signatures"]} == set(ROLE_IDS)
    tsa_root = programme.services.write_root(tmp_path / "tsa-root.pem")
    roots = [programme.ca_root, tsa_root]
    context = ValidationContext(
        trust_roots=[load_cert_from_pemder(str(r)) for r in roots], allow_fetching=False
    )
    with signed.open("rb") as handle:
        reader = PdfFileReader(handle, strict=False)
        for sig in reader.embedded_signatures:
            status = validate_pdf_signature(sig, context)
            assert status.bottom_line, status.pretty_print_details()
            assert status.timestamp_validity is not None
        dss = DocumentSecurityStore.read_dss(reader)
        crls = [crl.CertificateList.load(r.get_object().data) for r in dss.crls]
        ca = load_cert_from_pemder(str(programme.ca_root))
        assert [c.issuer for c in crls] == [ca.subject]
    found = pdfsig(signed, roots, tmp_path)
    assert found.count("Signature Validation: Signature is Valid.") == 3, found
    assert found.count("Certificate Validation: Certificate is Trusted.") == 3, found


def test_signing_without_a_timestamp_server_is_b_b(held, tmp_path: Path):
    programme, token = held
    region_yaml = programme.ws.root / "regions" / "south-east.yaml"
    original = region_yaml.read_text()
    without = "\n".join(line for line in original.splitlines() if "tsa_url" not in line)
    region_yaml.write_text(without + "\n")
    try:
        from mougen.workspace import Workspace

        ws = Workspace(programme.ws.root)
        pdf = tmp_path / "issued.pdf"
        pdf.write_bytes(issued_pdf())
        out = tmp_path / "dcs.pdf"
        result = sign_with_token(
            ws, pdf, _binding("dcs"), token.settings, out, when=datetime.now(UTC)
        )
        assert result.level == "B-B"
        with out.open("rb") as handle:
            (sig,) = PdfFileReader(handle, strict=False).embedded_signatures
            unsigned = sig.signer_info["unsigned_attrs"]
            assert "signature_time_stamp_token" not in {a["type"].native for a in unsigned}
    finally:
        region_yaml.write_text(original)


# -- nobody else can use the keys -----------------------------------------------------------


def test_mougen_sign_refuses_a_key_held_for_remote_signing(held, tmp_path: Path):
    programme, token = held
    pdf = tmp_path / "issued.pdf"
    pdf.write_bytes(issued_pdf())
    out = tmp_path / "out.pdf"
    result = programme.run(
        "sign", str(pdf), "--role", "dcs", "-o", str(out),
        "--pkcs11-lib", str(token.settings.library), "--token-label", token.settings.label,
        "--key-label", str(_held_entry(programme, "dcs").token_key),
        "--passphrase-file", str(token.pin_file),
    )  # fmt: skip
    assert result.exit_code == 1 and not out.exists()
    assert "is held for remote signing: only its signatory can use it" in result.output
    assert PIN not in result.output


@pytest.mark.parametrize(
    ("pin_file", "message"),
    [
        ("nowhere.txt", "token.pin_file: cannot read"),
        ("wrong-pin.txt", "wrong PIN for token 'mougen-remote'"),
    ],
)
def test_serve_refuses_to_start_with_an_unusable_token(held, tmp_path, pin_file, message):
    programme, token = held
    (tmp_path / "wrong-pin.txt").write_text("000111\n")
    settings = programme.ws.root / "web.toml"
    kept = settings.read_text()
    settings.write_text(kept.replace(str(token.pin_file), str(tmp_path / pin_file)))
    try:
        result = programme.run("serve", "--port", "1")
    finally:
        settings.write_text(kept)
    assert result.exit_code == 1
    (line,) = result.output.strip().splitlines()
    assert message in line and "Traceback" not in line and PIN not in line


# -- the code releases the signature ---------------------------------------------------------


def test_an_accepted_code_signs_in_the_token_once_and_files_it(held, tmp_path: Path):
    programme, token = held
    binding = _binding("chief-executive")
    issued = issued_pdf()
    target = CodeBinding(
        hashlib.sha256(b"link").hexdigest(), sha256_hex(issued), binding.role, "se-2018/mk"
    )
    filed: list[Path] = []

    def file(pdf: bytes) -> None:
        path = tmp_path / f"filed-{len(filed)}.pdf"
        path.write_bytes(pdf)
        filed.append(path)

    with Tracker.open(programme.ws.db_url) as tracker:
        codes, claims = ActivationCodes(tracker), Claims(tracker)
        client = Client("127.0.0.1", "pytest")
        code = codes.request(target, "carole.mills@example.org", client).code
        confirmed = release(
            codes, claims, target, code, client,
            sign=lambda: signed_in_token(
                programme.ws, issued, binding, token.settings, when=datetime.now(UTC)
            ),
            file=file,
        )  # fmt: skip
        assert confirmed.outcome is Outcome.ACCEPTED
        again = release(codes, claims, target, code, client, sign=_never, file=file)
        assert again.outcome is Outcome.REFUSED
        events = [e for e in tracker.events() if e.kind == "remote-signed"]
    (pdf,) = filed
    _, report = programme.verify(pdf)
    (signature,) = report["signatures"]
    assert signature["field"] == "chief-executive" and signature["indication"] == "TOTAL_PASSED"
    assert events[0].detail["signature_sha256"] == signature["signature_sha256"]
    assert events[0].detail["pdf_sha256"] == sha256_hex(pdf.read_bytes())
    assert all(code not in str(e.detail) for e in events)


def _never():
    raise AssertionError("signed a second time")


# -- revocation ------------------------------------------------------------------------------

#: The authority whose key the revocation test makes and destroys, so that the keys the
#: other tests use stay whatever order the tests run in (xdist may reorder a module).
REVOKED = "hampshire"


def test_revoking_a_token_certificate_destroys_its_key(held, tmp_path: Path):
    programme, token = held
    made = programme.ca(
        "issue", "-a", REVOKED, "--role", "lead-member", "--in-token", "--name", "Lee Member"
    )
    assert made.exit_code == 0, made.output
    binding = ProgrammeBinding(REGION, REVOKED, "lead-member")
    (entry,) = load_ledger(programme.ws, REGION).for_binding(binding.uri)
    label = str(entry.token_key)
    result = programme.ca("revoke", "--authority", REVOKED, "--role", "lead-member")
    assert result.exit_code == 0, result.output
    assert "destroyed its key in the token" in result.output
    with token_session(token.settings) as session:
        assert key_facts(session, label) is None
        assert list(session.get_objects({pkcs11_label(): label})) == []
    pdf = tmp_path / "issued.pdf"
    pdf.write_bytes(issued_pdf())
    with pytest.raises(SigningError, match="has no current programme key in the token"):
        sign_with_token(
            programme.ws, pdf, binding, token.settings, tmp_path / "o.pdf", when=datetime.now(UTC)
        )
    assert not (tmp_path / "o.pdf").exists()
    assert _held_entry(programme, "lead-member").revoked_at is None  # Milton Keynes' kept


def test_revoking_a_token_certificate_without_token_settings_is_refused(held):
    programme, _ = held
    settings = programme.ws.root / "web.toml"
    kept = settings.read_text()
    settings.unlink()
    try:
        result = programme.ca("revoke", "--authority", AUTHORITY, "--role", "dcs")
    finally:
        settings.write_text(kept)
    assert result.exit_code == 1
    assert "is in the token, but no token is configured" in result.output
    assert _held_entry(programme, "dcs").revoked_at is None


def pkcs11_label():
    from pkcs11 import Attribute

    return Attribute.LABEL


def test_ca_issue_in_token_needs_a_token_and_no_output_file(held, tmp_path: Path):
    programme, _ = held
    both = programme.ca(
        "issue", "-a", AUTHORITY, "--role", "dcs", "--in-token", "-o", str(tmp_path / "x.p12")
    )
    assert both.exit_code == 2 and "exactly one of -o FILE and --in-token" in both.output
    settings = programme.ws.root / "web.toml"
    kept = settings.read_text()
    settings.unlink()
    try:
        result = programme.ca("issue", "-a", AUTHORITY, "--role", "dcs", "--in-token", "--replace")
    finally:
        settings.write_text(kept)
    assert result.exit_code == 1
    assert "no token is configured: add a [token] table to web.toml" in result.output

"""Signatures made by other tools verify: poppler's pdfsig (NSS), pyHanko, and mixtures of both."""

from __future__ import annotations

import io
import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from cryptography import x509
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.diff_analysis import DEFAULT_DIFF_POLICY, ModificationLevel
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko_certvalidator import ValidationContext

from mougen.pki import ca_cert_path, configured_signatory, init_ca, issue_certificate, load_ca
from mougen.roles import ROLE_IDS
from mougen.signing import load_pkcs12, sign_pdf
from mougen.verify import first_revision_bytes
from tests.nss import NssSigner
from tests.pki import Issued
from tests.verify_docs import asn1_cert, issued_pdf, sign, update, write


@pytest.fixture(scope="module")
def root(pki, tmp_path_factory) -> Path:
    return pki.root.write_pem(tmp_path_factory.mktemp("root") / "root.pem")


@pytest.fixture(scope="module")
def signers(pki):
    """One signatory per role, as the MoU has."""
    return {
        "dcs": pki.signer("Dana Director", "dana@example.org"),
        "lead-member": pki.signer("Lee Member", "lee@example.org"),
        "chief-executive": pki.signer("Chris Exec", "chris@example.org"),
    }


@pytest.fixture(scope="module")
def nss(signers, root, tmp_path_factory) -> dict[str, NssSigner]:
    folder = tmp_path_factory.mktemp("nss")
    return {role: NssSigner(folder / role, issued, [root]) for role, issued in signers.items()}


def _sign_in_turn(tools: str, signers, nss, folder: Path) -> bytes:
    """The issued MoU signed role by role.

    H = pyHanko (adbe.pkcs7.detached), C = pyHanko PAdES (ETSI.CAdES.detached),
    P = pdfsig, E = pdfsig -etsi.
    """
    pdf = issued_pdf()
    for tool, role in zip(tools, ROLE_IDS, strict=True):
        if tool in "HC":
            pdf = sign(pdf, role, signers[role], cades=tool == "C")
        else:
            unsigned = write(folder / f"{role}-in.pdf", pdf)
            out = nss[role].sign(unsigned, role, folder / f"{role}-out.pdf", etsi=tool == "E")
            pdf = out.read_bytes()
    return pdf


def _email(issued) -> str:
    san = issued.cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    return san.get_values_for_type(x509.RFC822Name)[0]


def _verify(run_cli, pdf: Path, root: Path) -> tuple[int, dict]:
    result = run_cli("verify", str(pdf), "--trust", str(root), "--json")
    return result.exit_code, json.loads(result.output)[0]


#: What each tool writes. poppler 22.12 (Debian bookworm) ignores ``-etsi`` when signing an
#: existing field and writes adbe.pkcs7.detached; newer poppler writes ETSI.CAdES.detached.
SUB_FILTERS = {
    "H": {"adbe.pkcs7.detached"},
    "C": {"ETSI.CAdES.detached"},
    "P": {"adbe.pkcs7.detached"},
    "E": {"adbe.pkcs7.detached", "ETSI.CAdES.detached"},
}


# HPH is the brief's mixture; the others put poppler first, last, throughout, and next to
# CAdES signatures.
@pytest.mark.parametrize("tools", ["PPP", "EEE", "HPH", "PHE", "EPC", "CCP", "HHP"])
def test_other_tools_signatures_verify(tools, run_cli, tmp_path, root, signers, nss):
    pdf = write(tmp_path / "signed.pdf", _sign_in_turn(tools, signers, nss, tmp_path))
    code, report = _verify(run_cli, pdf, root)
    assert code == 0, report
    assert report["valid"] and report["missing_roles"] == []
    for s, tool, role in zip(report["signatures"], tools, ROLE_IDS, strict=True):
        assert (s["field"], s["email"]) == (role, _email(signers[role]))
        assert s["sub_filter"] in SUB_FILTERS[tool]
        assert (s["indication"], s["intact"], s["trusted"]) == ("TOTAL_PASSED", True, True)
    poppler = nss["dcs"].check(pdf)
    assert poppler.count("Signature is Valid") == 3
    assert first_revision_bytes(pdf) == issued_pdf()


def test_pyhanko_default_policy_rejects_what_mougen_accepts(signers, nss, tmp_path):
    """Why mougen extends the policy: pyHanko alone calls a pdfsig co-signature tampering."""
    pdf = _sign_in_turn("HPH", signers, nss, tmp_path)
    dcs = PdfFileReader(io.BytesIO(pdf), strict=False).embedded_signatures[0]
    context = ValidationContext(trust_roots=[asn1_cert(signers["dcs"])], allow_fetching=False)
    status = validate_pdf_signature(dcs, context, diff_policy=DEFAULT_DIFF_POLICY)
    assert status.modification_level == ModificationLevel.OTHER


def test_clearing_sig_flags_is_still_refused(run_cli, tmp_path, root, signers, nss):
    signed = _sign_in_turn("HPH", signers, nss, tmp_path)

    def clear(writer):
        acroform = writer.root["/AcroForm"]
        acroform["/SigFlags"] = generic.NumberObject(0)
        writer.update_container(acroform)

    code, report = _verify(run_cli, write(tmp_path / "x.pdf", update(signed, clear)), root)
    assert code == 1
    assert {s["sub_indication"] for s in report["signatures"]} == {"FORMAT_FAILURE"}


def test_changing_a_poppler_signed_widget_beyond_its_date_is_refused(
    run_cli, tmp_path, root, signers, nss
):
    signed = _sign_in_turn("PPP", signers, nss, tmp_path)

    def move(writer):
        widget = writer.root["/AcroForm"]["/Fields"][0]
        widget["/M"] = generic.TextStringObject("D:20300101000000Z")
        widget["/Rect"] = generic.ArrayObject([generic.NumberObject(n) for n in (0, 0, 595, 842)])
        writer.update_container(widget)

    code, report = _verify(run_cli, write(tmp_path / "x.pdf", update(signed, move)), root)
    assert code == 1
    assert {s["modification"] for s in report["signatures"]} == {"OTHER"}


def test_dropping_the_date_of_a_signed_widget_is_harmless(run_cli, tmp_path, root, signers, nss):
    signed = _sign_in_turn("PPP", signers, nss, tmp_path)

    def drop_date(writer):
        widget = writer.root["/AcroForm"]["/Fields"][0]
        del widget["/M"]
        writer.update_container(widget)

    code, report = _verify(run_cli, write(tmp_path / "x.pdf", update(signed, drop_date)), root)
    assert code == 0, report
    assert report["signatures"][0]["modification"] == "FORM_FILLING"


def test_poppler_agrees_a_byte_flip_is_invalid(tmp_path, signers, nss, run_cli, root):
    signed = _sign_in_turn("PPE", signers, nss, tmp_path)
    at = signed.index(b"understanding 2018")
    flipped = write(tmp_path / "f.pdf", signed[:at] + b"understanding 2019" + signed[at + 18 :])
    code, report = _verify(run_cli, flipped, root)
    assert code == 1
    assert {s["sub_indication"] for s in report["signatures"]} == {"HASH_FAILURE"}
    assert "Signature is Valid" not in nss["dcs"].check(flipped)


def test_mougen_sign_and_pdfsig_verify_against_the_region_ca(run_cli, workspace, tmp_path):
    """mougen sign (PAdES, visible stamp) and pdfsig in one file; the region CA trusted unasked."""
    init_ca(workspace, "south-east", b"ca passphrase", when=datetime.now(UTC))
    ca = load_ca(workspace, "south-east", b"ca passphrase")
    pdf = write(tmp_path / "issued.pdf", issued_pdf())
    for role, tool in zip(ROLE_IDS, "MPM", strict=True):
        _, who = configured_signatory(
            workspace, "milton-keynes", role, name=f"Signatory {role}", email=f"{role}@mk.example"
        )
        cert = issue_certificate(ca, who, when=datetime.now(UTC))
        issued = Issued(cert.cert, cert.key, [cert.ca_cert])
        out = tmp_path / f"{role}.pdf"
        if tool == "M":
            p12 = issued.write_p12(tmp_path / f"{role}.p12", b"p12 passphrase")
            sign_pdf(pdf, role, load_pkcs12(p12, b"p12 passphrase"), out, when=datetime.now(UTC))
        else:
            ca_pem = ca_cert_path(workspace, "south-east")
            NssSigner(tmp_path / f"nss-{role}", issued, [ca_pem]).sign(pdf, role, out)
        pdf = out
    result = run_cli("verify", str(pdf), "--json")
    assert result.exit_code == 0, result.output
    [report] = json.loads(result.output)
    assert [s["email"] for s in report["signatures"]] == [f"{r}@mk.example" for r in ROLE_IDS]
    assert [s["sub_filter"] for s in report["signatures"]] == [
        "ETSI.CAdES.detached",
        "adbe.pkcs7.detached",
        "ETSI.CAdES.detached",
    ]

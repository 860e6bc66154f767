"""mougen verify rejects every known attack and fault, each with a sub-indication naming it."""

from __future__ import annotations

import io
import time
from datetime import UTC, datetime, timedelta

import pytest
from cryptography.hazmat.primitives import serialization
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader

from tests.nss import NssSigner
from tests.pki import TestPki
from tests.verify_docs import (
    add_dss,
    issued_pdf,
    ocsp_declaring_signer,
    sign,
    sign_all,
    verifier,
    write,
)

DER = serialization.Encoding.DER
TWO_DAYS_AGO = datetime.now(UTC).replace(microsecond=0) - timedelta(days=2)


@pytest.fixture(scope="module")
def signer(pki):
    return pki.signer("Dana Director", "dana@example.org")


@pytest.fixture(scope="module")
def executed(signer) -> bytes:
    return sign_all(issued_pdf(), signer)


@pytest.fixture
def verify(run_cli, tmp_path, pki):
    """Verify ``data`` trusting the test root; returns (exit code, the file's JSON report)."""
    return verifier(run_cli, tmp_path, pki)


def _by_field(report: dict) -> dict[str, dict]:
    return {s["field"]: s for s in report["signatures"]}


def _update(pdf: bytes, change) -> bytes:
    """``pdf`` plus an incremental update made by ``change(writer, first_page)``."""
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf), strict=False)
    page = writer.root["/Pages"]["/Kids"][0]
    change(writer, page)
    writer.update_container(page)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _new_content(writer, page, text: bytes = b"BT /F1 24 Tf 72 400 Td (PAY 1,000,000) Tj ET"):
    stream = writer.add_object(generic.StreamObject(stream_data=text))
    page["/Contents"] = stream


def _annotation(subtype: str):
    def add(writer, page):
        annot = generic.DictionaryObject(
            {
                generic.NameObject("/Type"): generic.NameObject("/Annot"),
                generic.NameObject("/Subtype"): generic.NameObject(subtype),
                generic.NameObject("/Rect"): generic.ArrayObject(
                    [generic.NumberObject(n) for n in (60, 760, 560, 800)]
                ),
                generic.NameObject("/Contents"): generic.TextStringObject("void"),
                generic.NameObject("/IC"): generic.ArrayObject([generic.FloatObject(1)] * 3),
            }
        )
        annots = page.get("/Annots", generic.ArrayObject())
        annots.append(writer.add_object(annot))
        page["/Annots"] = annots

    return add


def _signature_hex_span(pdf: bytes, field: str) -> tuple[int, int]:
    """Where the hex /Contents of ``field``'s signature lies in ``pdf``."""
    reader = PdfFileReader(io.BytesIO(pdf), strict=False)
    sig = next(s for s in reader.embedded_signatures if s.field_name == field)
    start, length, end, _ = sig.byte_range
    return start + length + 1, end - 1


def _replace_cms(pdf: bytes, field: str, transform) -> bytes:
    start, end = _signature_hex_span(pdf, field)
    cms = bytes.fromhex(pdf[start:end].decode())
    new = transform(cms).hex().encode()
    return pdf[:start] + new + pdf[end:]


def test_byte_changed_inside_signed_range(verify, executed, tmp_path, signer, pki):
    at = executed.index(b"understanding 2018")
    flipped = executed[:at] + b"understanding 2019" + executed[at + 18 :]
    code, report = verify(flipped)
    assert code == 1
    for s in report["signatures"]:
        assert not s["intact"]
        assert (s["indication"], s["sub_indication"]) == ("TOTAL_FAILED", "HASH_FAILURE")
    nss = NssSigner(tmp_path / "nss", signer, [pki.root.write_pem(tmp_path / "r.pem")])
    poppler = nss.check(write(tmp_path / "flipped.pdf", flipped))
    assert "Signature is Valid" not in poppler and "Digest Mismatch" in poppler


def test_incremental_saving_attack_replacing_page_content(verify, executed):
    code, report = verify(_update(executed, _new_content))
    assert code == 1
    for s in report["signatures"]:
        assert s["intact"] and s["trusted"]
        assert s["modification"] == "OTHER"
        assert (s["indication"], s["sub_indication"]) == ("TOTAL_FAILED", "FORMAT_FAILURE")
        assert s["changes"]


def test_shadow_hide_and_replace_attack(verify, signer):
    # The issued file already carries an unused stream; after signing, an update swaps it in.
    shadow = {}

    def plant(writer, page):
        shadow["ref"] = writer.add_object(
            generic.StreamObject(stream_data=b"BT /F1 24 Tf 72 400 Td (NOT BINDING) Tj ET")
        )

    planted = _update(issued_pdf(), plant)
    signed = sign_all(planted, signer)

    def swap(writer, page):
        page["/Contents"] = generic.IndirectObject(shadow["ref"].idnum, 0, writer)

    code, report = verify(_update(signed, swap))
    assert code == 1
    assert {s["sub_indication"] for s in report["signatures"]} == {"FORMAT_FAILURE"}
    assert {s["modification"] for s in report["signatures"]} == {"OTHER"}


@pytest.mark.parametrize("subtype", ["/FreeText", "/Square"])
def test_overlay_annotation_added_after_signing(verify, executed, subtype):
    code, report = verify(_update(executed, _annotation(subtype)))
    assert code == 1
    for s in report["signatures"]:
        assert s["modification"] in ("ANNOTATIONS", "OTHER")
        assert (s["indication"], s["sub_indication"]) == ("TOTAL_FAILED", "FORMAT_FAILURE")


def test_blanked_cms_is_rejected(verify, executed):
    code, report = verify(_replace_cms(executed, "chief-executive", lambda c: bytes(len(c))))
    assert code == 1
    blanked = _by_field(report)["chief-executive"]
    assert (blanked["indication"], blanked["sub_indication"]) == ("TOTAL_FAILED", "FORMAT_FAILURE")
    assert not blanked["intact"]


def test_corrupt_signature_value_is_rejected(verify, executed):
    def corrupt(cms: bytes) -> bytes:
        # The RSA signature value is the last 256 bytes of pyHanko's DER CMS.
        end = len(cms.rstrip(b"\x00"))
        return cms[: end - 5] + bytes(b ^ 0xFF for b in cms[end - 5 : end]) + cms[end:]

    code, report = verify(_replace_cms(executed, "dcs", corrupt))
    assert code == 1
    broken = _by_field(report)["dcs"]
    assert broken["intact"] and not broken["valid"]
    assert (broken["indication"], broken["sub_indication"]) == (
        "TOTAL_FAILED",
        "SIG_CRYPTO_FAILURE",
    )


def test_untrusted_root(verify):
    stranger = TestPki("Some Other Root CA").signer("Mallory")
    code, report = verify(sign(issued_pdf(), "dcs", stranger))
    assert code == 1
    s = report["signatures"][0]
    assert s["intact"] and not s["trusted"]
    assert (s["indication"], s["sub_indication"]) == ("INDETERMINATE", "NO_CERTIFICATE_CHAIN_FOUND")


def test_self_signed_certificate(verify, pki):
    code, report = verify(sign(issued_pdf(), "dcs", pki.signer("Lone Signer", self_signed=True)))
    assert code == 1
    s = report["signatures"][0]
    assert s["intact"] and not s["trusted"]
    assert s["indication"] == "INDETERMINATE"
    assert s["sub_indication"] in ("NO_CERTIFICATE_CHAIN_FOUND", "CHAIN_CONSTRAINTS_FAILURE")


def test_certificate_expired_when_it_signed(verify, pki):
    old = pki.signer(
        "Old Signer",
        not_before=datetime(2020, 1, 1, tzinfo=UTC),
        not_after=datetime(2021, 1, 1, tzinfo=UTC),
    )
    code, report = verify(sign(issued_pdf(), "dcs", old))
    assert code == 1
    s = report["signatures"][0]
    assert s["intact"] and not s["trusted"]
    assert s["indication"] == "INDETERMINATE"
    assert s["sub_indication"] in ("EXPIRED", "OUT_OF_BOUNDS_NO_POE")


def _assert_revoked(code: int, report: dict) -> None:
    assert code == 1
    s = report["signatures"][0]
    assert s["intact"] and s["revoked"]
    assert (s["indication"], s["sub_indication"]) == ("TOTAL_FAILED", "REVOKED")


@pytest.fixture(scope="module")
def revoked(pki):
    return pki.signer("Revoked Signer", "revoked@example.org")


@pytest.fixture(scope="module")
def revoking_crl(pki, revoked) -> bytes:
    return pki.crl([(revoked, TWO_DAYS_AGO)]).public_bytes(DER)


@pytest.fixture(scope="module")
def revoked_by_ocsp(pki):
    return ocsp_declaring_signer(pki, "Revoked OCSP Signer")


@pytest.fixture(scope="module")
def revoking_ocsp(pki, revoked_by_ocsp) -> bytes:
    return pki.ocsp_response(revoked_by_ocsp, revoked_at=TWO_DAYS_AGO)


def test_revoked_by_crl_in_signature(verify, pki, revoked, revoking_crl):
    _assert_revoked(*verify(sign(issued_pdf(), "dcs", revoked, pki=pki, crl=revoking_crl)))


def test_revoked_by_ocsp_in_signature(verify, pki, revoked_by_ocsp, revoking_ocsp):
    signed = sign(issued_pdf(), "dcs", revoked_by_ocsp, pki=pki, ocsp=revoking_ocsp)
    _assert_revoked(*verify(signed))


def test_revoked_by_crl_in_dss(verify, revoked, revoking_crl):
    _assert_revoked(*verify(add_dss(sign(issued_pdf(), "dcs", revoked), crl=revoking_crl)))


def test_revoked_by_ocsp_in_dss(verify, revoked_by_ocsp, revoking_ocsp):
    signed = sign(issued_pdf(), "dcs", revoked_by_ocsp)
    _assert_revoked(*verify(add_dss(signed, ocsp=revoking_ocsp)))


def test_revoked_by_crl_given_on_the_command_line(verify, revoked, revoking_crl, tmp_path):
    signed = sign(issued_pdf(), "dcs", revoked)
    assert verify(signed)[1]["signatures"][0]["revoked"] is False
    crl = write(tmp_path / "ca.crl", revoking_crl)
    _assert_revoked(*verify(signed, "--crl", str(crl)))


def test_revocation_after_signing_is_not_proof_of_forgery(verify, pki, revoked, tmp_path):
    signed = sign(issued_pdf(), "dcs", revoked)
    time.sleep(1.1)  # revocation times have whole seconds: revoke strictly after signing
    later = datetime.now(UTC)
    crl = write(tmp_path / "later.crl", pki.crl([(revoked, later)]).public_bytes(DER))
    code, report = verify(signed, "--crl", str(crl))
    s = report["signatures"][0]
    assert code == 1 and s["revoked"]
    assert (s["indication"], s["sub_indication"]) == ("INDETERMINATE", "REVOKED_NO_POE")


def test_good_ocsp_in_dss_keeps_signature_valid(verify, pki):
    good = ocsp_declaring_signer(pki, "Good Signer")
    signed = add_dss(sign(issued_pdf(), "dcs", good), ocsp=pki.ocsp_response(good))
    code, report = verify(signed)
    assert code == 1  # two roles are still unsigned
    s = report["signatures"][0]
    assert (s["indication"], s["revoked"], s["modification"]) == (
        "TOTAL_PASSED",
        False,
        "LTA_UPDATES",
    )
    assert report["missing_roles"] == ["lead-member", "chief-executive"]

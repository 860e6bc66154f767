"""The stricter difference policy and the signature constraints: each attack is built with
pyHanko directly and refused with a sub-indication or reason that names it."""

from __future__ import annotations

import io
import json
import sys

import pytest
from cryptography.x509.oid import ExtendedKeyUsageOID
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import fields, signers

from mougen.roles import ROLE_IDS
from tests.verify_docs import (
    issued_pdf,
    pyhanko_signer,
    sign,
    sign_all,
    tsa,
    tsa_client,
    update,
    verifier,
    write,
)

N = generic.NameObject


@pytest.fixture(scope="module")
def dcs_signed(signer) -> bytes:
    return sign(issued_pdf(), "dcs", signer)


@pytest.fixture
def verify(run_cli, tmp_path, pki):
    """Verify ``data`` trusting the test root; returns (exit code, the file's JSON report)."""
    return verifier(run_cli, tmp_path, pki)


def _by_field(report: dict) -> dict[str, dict]:
    return {s["field"]: s for s in report["signatures"]}


def _assert_refused(code: int, report: dict, reason: str) -> None:
    """The dcs signature is refused for a change after it, and ``reason`` says which."""
    assert code == 1
    s = _by_field(report)["dcs"]
    assert (s["indication"], s["sub_indication"]) == ("TOTAL_FAILED", "FORMAT_FAILURE")
    assert s["modification"] == "OTHER"
    assert s["changes"].startswith(reason), s["changes"]


def _field(writer, name: str) -> generic.DictionaryObject:
    for ref in writer.root["/AcroForm"]["/Fields"]:
        if ref.get_object().get("/T") == name:
            return ref
    raise AssertionError(f"no field {name}")


def _overlay_stream(writer) -> generic.IndirectObject:
    stream = generic.StreamObject(
        {
            N("/Type"): N("/XObject"),
            N("/Subtype"): N("/Form"),
            N("/BBox"): generic.ArrayObject([generic.NumberObject(n) for n in (0, 0, 500, 300)]),
        },
        stream_data=b"1 1 1 rg 0 0 500 300 re f 0 g BT /Helv 24 Tf 20 150 Td (PAY 1,000,000) Tj ET",
    )
    return writer.add_object(stream)


def _full_page_rect() -> generic.ArrayObject:
    return generic.ArrayObject([generic.NumberObject(n) for n in (40, 300, 540, 600)])


def test_sneaky_signature_appearance_on_an_unsigned_field(verify, dcs_signed):
    def draw(writer):
        ref = _field(writer, "lead-member")
        widget = ref.get_object()
        widget["/AP"] = generic.DictionaryObject({N("/N"): _overlay_stream(writer)})
        widget["/Rect"] = _full_page_rect()
        writer.update_container(widget)

    _assert_refused(
        *verify(update(dcs_signed, draw)),
        "sneaky signature: unsigned signature field 'lead-member'",
    )


def test_new_signature_field_overlaying_the_text(verify, dcs_signed):
    def add(writer):
        spec = fields.SigFieldSpec("overlay", on_page=0, box=(40, 300, 540, 600))
        fields.append_signature_field(writer, spec)
        ref = _field(writer, "overlay")
        ref.get_object()["/AP"] = generic.DictionaryObject({N("/N"): _overlay_stream(writer)})

    _assert_refused(*verify(update(dcs_signed, add)), "new signature field 'overlay' added")


def test_invisible_document_timestamp_may_be_added(verify, signer, pki):
    executed = sign_all(issued_pdf(), signer)
    writer = IncrementalPdfFileWriter(io.BytesIO(executed), strict=False)
    out = io.BytesIO()
    stamper = signers.PdfTimeStamper(tsa_client(tsa(pki, "Archive TSA")))
    stamper.timestamp_pdf(writer, "sha256", output=out)
    _, report = verify(out.getvalue())
    # The document timestamp's own validation belongs to long-term validation; the policy
    # question is only whether adding it undermines the role signatures.
    roles = [s for s in report["signatures"] if s["field"] in ROLE_IDS]
    assert [s["field"] for s in roles] == list(ROLE_IDS)
    assert {s["indication"] for s in roles} == {"TOTAL_PASSED"}
    assert roles[-1]["modification"] == "LTA_UPDATES"  # the timestamp is all that followed


def test_shadow_text_field_added_after_signing(verify, dcs_signed):
    def add(writer):
        page_ref = writer.root["/Pages"]["/Kids"].raw_get(0)
        page = page_ref.get_object()
        text_field = generic.DictionaryObject(
            {
                N("/Type"): N("/Annot"),
                N("/Subtype"): N("/Widget"),
                N("/FT"): N("/Tx"),
                N("/T"): generic.TextStringObject("note"),
                N("/Rect"): _full_page_rect(),
                N("/V"): generic.TextStringObject("void"),
                N("/P"): page_ref,
                N("/AP"): generic.DictionaryObject({N("/N"): _overlay_stream(writer)}),
            }
        )
        ref = writer.add_object(text_field)
        writer.root["/AcroForm"]["/Fields"].append(ref)
        writer.update_container(writer.root["/AcroForm"]["/Fields"])
        page[N("/Annots")] = generic.ArrayObject([*page.get("/Annots", []), ref])
        writer.update_container(page)

    _assert_refused(*verify(update(dcs_signed, add)), "shadow attack: form field 'note'")


def test_objects_appended_without_an_xref(verify, signer):
    executed = sign_all(issued_pdf(), signer)
    appended = executed + b"\n999 0 obj\n<< /Type /Annot /Subtype /FreeText >>\nendobj\n"
    code, report = verify(appended)
    assert code == 1 and not report["valid"]
    assert report["problems"] == [
        "56 bytes (1 object(s)) after the last revision, outside any xref section"
    ]
    assert all(s["indication"] == "TOTAL_PASSED" for s in report["signatures"])
    padded = executed + b"\r\n  \x00\n"
    assert verify(padded)[0] == 0, "white space after the last %%EOF is harmless"


def _sign_ignoring_seed_values(pdf: bytes, field: str, issued, subfilter) -> bytes:
    """Sign as a tool that does not honour /SV would (pyHanko told to ignore it)."""
    meta = signers.PdfSignatureMetadata(field_name=field, subfilter=subfilter)
    pdf_signer = signers.PdfSigner(meta, signer=pyhanko_signer(issued))
    pdf_signer._ignore_sv = True  # pyHanko's own testing switch
    out = io.BytesIO()
    pdf_signer.sign_pdf(IncrementalPdfFileWriter(io.BytesIO(pdf), strict=False), output=out)
    return out.getvalue()


@pytest.fixture(scope="module")
def seeded() -> bytes:
    """The issued MoU whose dcs field requires PAdES (ETSI.CAdES.detached) and SHA-256."""
    spec = fields.SigSeedValueSpec(
        flags=fields.SigSeedValFlags.SUBFILTER | fields.SigSeedValFlags.DIGEST_METHOD,
        subfilters=[fields.SigSeedSubFilter.PADES],
        digest_methods=["sha256"],
    )

    def add_sv(writer):
        widget = _field(writer, "dcs").get_object()
        widget["/SV"] = writer.add_object(spec.as_pdf_object())
        writer.update_container(widget)

    return update(issued_pdf(), add_sv)


def test_signature_violating_the_fields_seed_values(verify, seeded, signer):
    pkcs7 = _sign_ignoring_seed_values(
        seeded, "dcs", signer, fields.SigSeedSubFilter.ADOBE_PKCS7_DETACHED
    )
    code, report = verify(pkcs7)
    s = _by_field(report)["dcs"]
    assert code == 1 and s["intact"] and s["trusted"]
    assert (s["indication"], s["sub_indication"]) == ("TOTAL_FAILED", "SEED_VALUE_VIOLATION")
    pades = _sign_ignoring_seed_values(seeded, "dcs", signer, fields.SigSeedSubFilter.PADES)
    assert _by_field(verify(pades)[1])["dcs"]["indication"] == "TOTAL_PASSED"


@pytest.mark.parametrize(
    "eku", [ExtendedKeyUsageOID.SERVER_AUTH, ExtendedKeyUsageOID.TIME_STAMPING]
)
def test_certificate_not_for_signing_documents(verify, pki, eku):
    web_server = tsa(pki, "www.example.org", eku=eku)
    code, report = verify(sign(issued_pdf(), "dcs", web_server))
    s = _by_field(report)["dcs"]
    assert code == 1 and s["intact"] and not s["trusted"]
    assert (s["indication"], s["sub_indication"]) == ("TOTAL_FAILED", "KEY_PURPOSE_NOT_SIGNING")


def test_deeply_nested_info_dictionary(run_cli, tmp_path, dcs_signed):
    nested = generic.ArrayObject()
    inner = nested
    for _ in range(5000):
        inner.append(generic.ArrayObject())
        inner = inner[0]

    def deep_info(writer):
        info = generic.DictionaryObject({N("/Deep"): nested})
        writer._info = writer.add_object(info)
        writer.set_info(info)

    old = sys.getrecursionlimit()
    sys.setrecursionlimit(50000)  # pyHanko writes the nesting recursively too
    try:
        data = update(dcs_signed, deep_info)
    finally:
        sys.setrecursionlimit(old)
    pdf = write(tmp_path / "deep.pdf", data)
    result = run_cli("verify", str(pdf))
    assert result.exit_code == 2
    assert "Traceback" not in result.output and "RecursionError" not in result.output
    [line] = result.output.splitlines()
    assert "nested too deeply" in line and "deep.pdf" in line


def test_unknown_digest_algorithm(verify, dcs_signed):
    sha256 = bytes.fromhex("0609608648016503040201")
    unknown = bytes.fromhex("060960864801650304027f")
    start, length, end, _ = (
        PdfFileReader(io.BytesIO(dcs_signed), strict=False).embedded_signatures[0].byte_range
    )
    hex_start, hex_end = start + length + 1, end - 1
    content = bytes.fromhex(dcs_signed[hex_start:hex_end].decode())
    assert sha256 in content
    forged = content.replace(sha256, unknown)
    data = dcs_signed[:hex_start] + forged.hex().encode() + dcs_signed[hex_end:]
    code, report = verify(data)
    s = _by_field(report)["dcs"]
    assert code == 1
    assert (s["indication"], s["sub_indication"]) == ("TOTAL_FAILED", "FORMAT_FAILURE")
    assert "unsupported digest algorithm 2.16.840.1.101.3.4.2.127" in s["changes"]


def test_objects_in_a_loop(run_cli, tmp_path, dcs_signed):
    def loop(writer):
        first = generic.DictionaryObject()
        second = generic.DictionaryObject()
        first_ref, second_ref = writer.add_object(first), writer.add_object(second)
        first[N("/Next")], second[N("/Next")] = second_ref, first_ref
        page = writer.root["/Pages"]["/Kids"][0]
        page[N("/PieceInfo")] = first_ref
        writer.update_container(page)

    pdf = write(tmp_path / "loop.pdf", update(dcs_signed, loop))
    result = run_cli("verify", str(pdf), "--json")
    assert result.exit_code == 1 and "Traceback" not in result.output
    [report] = json.loads(result.stdout)
    assert _by_field(report)["dcs"]["sub_indication"] == "FORMAT_FAILURE"

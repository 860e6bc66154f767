"""Every PDF mougen writes is tagged and titled; the issued MoU is PDF/UA-1 and PDF/A-2a.

PDF/UA is checked with the ``pdfua`` checker (PyPI), before and after the three
signatures; PDF/A with pikepdf: the XMP claim and the rules that can be checked
without veraPDF. The signature fields are checked as a screen reader and a signing
tool meet them: in the structure tree as /Form elements, with a /TU and seed values.
"""

from __future__ import annotations

import re
import subprocess
import sys
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pikepdf
import pytest

from mougen.pack.cover import cover_sheet
from mougen.redline.output import render_redline
from mougen.redline.versions import load_version
from mougen.render import render_authority
from mougen.roles import ROLE_IDS, role
from mougen.round.certificate import certificate_pdf
from mougen.verify.provenance import Provenance
from mougen.verify.report_pdf import audit_report_pdf
from mougen.verify.status import FileReport
from mougen.verify.verdict import Verdict
from tests.pki import TestPki
from tests.reportdata import signature_report
from tests.verify_docs import sign

WHEN = datetime(2026, 11, 22, 9, 30, tzinfo=UTC)
PDFUA = Path(sys.executable).with_name("pdfua")


@pytest.fixture(scope="module")
def issued(bundled, tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("issued") / "em-2015--derby.pdf"
    path.write_bytes(render_authority(bundled, "em-2015", "derby", when=WHEN).pdf)
    return path


@pytest.fixture(scope="module")
def signed_three_times(issued, tmp_path_factory) -> Path:
    pki = TestPki()
    pdf = issued.read_bytes()
    for role_id in ROLE_IDS:
        pdf = sign(pdf, role_id, pki.signer(f"Signer {role_id}"), cades=True)
    path = tmp_path_factory.mktemp("signed") / "signed.pdf"
    path.write_bytes(pdf)
    return path


def pdfinfo(pdf: Path) -> dict[str, str]:
    out = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True)
    return dict(line.split(":", 1) for line in out.stdout.splitlines() if ":" in line)


def assert_accessible(pdf: Path, title: str) -> None:
    """Tagged, in British English, with a title that viewers show instead of the file name."""
    assert pdfinfo(pdf)["Tagged"].strip() == "yes"
    with pikepdf.open(pdf) as doc:
        assert str(doc.Root.Lang) == "en-GB"
        assert doc.Root.MarkInfo.Marked is True
        assert doc.Root.ViewerPreferences.DisplayDocTitle is True
        assert "/StructTreeRoot" in doc.Root
        meta = doc.open_metadata()
        assert meta["dc:title"] == title
        assert meta["pdfuaid:part"] == "1"


def pdfua(pdf: Path) -> subprocess.CompletedProcess:
    return subprocess.run([str(PDFUA), "check", str(pdf)], capture_output=True, text=True)


def test_issued_mou_is_accessible(issued, bundled):
    assert_accessible(issued, bundled.catalog.mou("em-2015").mou.title)


def test_cover_sheet_is_accessible(bundled, tmp_path):
    entry = bundled.catalog.mou("se-2019-20")
    path = tmp_path / "cover.pdf"
    path.write_bytes(cover_sheet(entry, entry.party("kent"), "x.pdf", "ab" * 32, WHEN))
    assert_accessible(path, f"Cover sheet: {entry.mou.title}")
    assert pdfua(path).returncode == 0, pdfua(path).stdout
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True).stdout
    assert "mougen sign x.pdf --role ROLE --p12 YOUR-ID.p12" in text, "options as typed"
    assert "Brighton" not in text and "Kent County Council" in text


@pytest.mark.parametrize("which", ["issued", "signed_three_times"])
def test_pdfua_checker_finds_nothing(which, request):
    pdf = request.getfixturevalue(which)
    result = pdfua(pdf)
    assert result.returncode == 0, result.stdout
    assert "errors=0 warnings=0" in result.stdout


def test_three_signatures_keep_the_fields_tagged(signed_three_times):
    with pikepdf.open(signed_three_times) as doc:
        assert len(_form_elements(doc)) == 3
        assert all("/V" in f for f in doc.Root.AcroForm.Fields)


def _form_elements(doc: pikepdf.Pdf) -> list[pikepdf.Dictionary]:
    found, pending = [], list(doc.Root.StructTreeRoot.K)
    while pending:
        element = pending.pop()
        if not isinstance(element, pikepdf.Dictionary) or "/S" not in element:
            continue
        if element.S == "/Form":
            found.append(element)
        kids = element.get("/K")
        pending.extend(kids if isinstance(kids, pikepdf.Array) else [kids])
    return found


def test_each_widget_is_a_form_element_with_a_tooltip(issued):
    with pikepdf.open(issued) as doc:
        forms = _form_elements(doc)
        parents = dict(zip(*[iter(doc.Root.StructTreeRoot.ParentTree.Nums)] * 2, strict=True))
        widgets = {str(f.K.Obj.T): f for f in forms}
        assert sorted(widgets) == sorted(ROLE_IDS)
        for name, form in widgets.items():
            widget = form.K.Obj
            assert form.K.Type == "/OBJR"
            assert str(widget.TU) == role(name).title
            assert parents[int(widget.StructParent)].objgen == form.objgen
            assert widget.Subtype == "/Widget"


def test_fields_carry_pades_seed_values(issued):
    with pikepdf.open(issued) as doc:
        for field in doc.Root.AcroForm.Fields:
            assert [str(s) for s in field.SV.SubFilter] == ["/ETSI.CAdES.detached"]
            assert [str(d).lower() for d in field.SV.DigestMethod] == ["sha256"]


def test_every_object_number_below_size_is_in_use(issued):
    xref = subprocess.run(
        ["qpdf", "--show-xref", str(issued)], capture_output=True, text=True, check=True
    ).stdout
    in_use = {int(m) for m in re.findall(r"^(\d+)/0: (?:uncompressed|compressed)", xref, re.M)}
    with pikepdf.open(issued) as doc:
        size = int(doc.trailer.Size)
    assert in_use == set(range(1, size))


def test_issued_mou_claims_and_meets_pdfa_2a(issued):
    with pikepdf.open(issued) as doc:
        meta = doc.open_metadata()
        assert (meta["pdfaid:part"], meta["pdfaid:conformance"]) == ("2", "A")
        intent = doc.Root.OutputIntents[0]
        assert intent.S == "/GTS_PDFA1"
        assert len(intent.DestOutputProfile.read_bytes()) > 0
        assert "/Encrypt" not in doc.trailer
        assert "/JavaScript" not in doc.Root.get("/Names", {})
        assert not doc.Root.AcroForm.get("/NeedAppearances", False)
        for page in doc.pages:
            for annot in page.get("/Annots", []):
                assert int(annot.F) & 4, "annotations must print"
                assert "/N" in annot.AP, "annotations need an appearance"
    fonts = subprocess.run(
        ["pdffonts", str(issued)], capture_output=True, text=True, check=True
    ).stdout.splitlines()[2:]
    assert fonts and all(line.split()[-5] == "yes" for line in fonts), "fonts embedded"


def test_audit_report_summary_first_then_provenance_unreadable_and_any_script(tmp_path):
    report = FileReport(
        file="kent.pdf",
        sha256="ab" * 32,
        first_revision_sha256=None,
        signatures=[
            signature_report("dcs", "Łucja Wałęsa", "l@example.org"),
            signature_report("lead-member", "Zoë Brontë", "z@example.org"),
        ],
        missing_roles=["chief-executive"],
    )
    signed = Verdict("kent.pdf", report, Provenance("se-2018", "kent", ()))
    cjk_report = replace(
        report, file="tokyo.pdf", signatures=[signature_report("dcs", "山田太郎", "y@example.org")]
    )
    cjk = Verdict("tokyo.pdf", cjk_report, Provenance("se-2018", "kent", ()))
    broken = Verdict("junk.pdf", error="not a PDF file", error_code=2)
    pdf = tmp_path / "audit.pdf"
    pdf.write_bytes(audit_report_pdf([signed, cjk, broken], [], WHEN))
    assert_accessible(pdf, "Signature verification report")
    assert pdfua(pdf).returncode == 0, pdfua(pdf).stdout
    pages = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout.split("\f")
    first = " ".join(pages[0].split())
    assert "Summary 3 file(s): 0 valid, 2 not valid, 1 unreadable." in first
    assert "junk.pdf unreadable not a PDF file" in first and "Page 1 of" in first
    rest = " ".join(" ".join(pages).split())  # the details follow on from the summary
    assert "Files that could not be read junk.pdf: not a PDF file" in rest
    assert "Provenance Issued as se-2018 for kent." in rest.replace("• ", "")
    for name in ("Łucja Wałęsa", "Zoë Brontë", "山田太郎"):
        assert name in rest, name
    fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True).stdout
    assert "DroidSansFallback" in fonts, "CJK set in the shipped fallback font, not as boxes"


def test_redline_pdf_is_accessible_with_a_key_to_its_marks(bundled, tmp_path):
    old, new = (
        load_version(bundled, "se-2018", when=datetime.now(UTC)),
        load_version(bundled, "se-2019-20", when=datetime.now(UTC)),
    )
    data, _ = render_redline(old, new, ".pdf", when=WHEN)
    pdf = tmp_path / "redline.pdf"
    pdf.write_bytes(data)
    assert_accessible(pdf, "Redline: se-2018 to se-2019-20")
    assert pdfua(pdf).returncode == 0, pdfua(pdf).stdout
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True).stdout
    assert "Key to the marks" in text.split("\f")[0]


def test_completion_certificate_is_accessible(bundled, tmp_path):
    entry = bundled.catalog.mou("se-2018")
    report = FileReport(
        file="kent.pdf",
        sha256="ab" * 32,
        first_revision_sha256="cd" * 32,
        signatures=[signature_report("dcs", "Łucja Wałęsa", "l@example.org")],
    )
    pdf = tmp_path / "certificate.pdf"
    pdf.write_bytes(certificate_pdf(entry, "kent", report, "cd" * 32, [], WHEN))
    assert_accessible(pdf, f"Completion certificate: {entry.mou.title}")
    assert pdfua(pdf).returncode == 0, pdfua(pdf).stdout
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True).stdout
    assert "Łucja Wałęsa" in text and "cd" * 32 in text

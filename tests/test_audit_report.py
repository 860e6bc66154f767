"""The audit report (``verify --report``) as an auditor reads it: plain words, each root
once, council names, and a first page that is more than a heading."""

from __future__ import annotations

import subprocess
from datetime import UTC, datetime

import pytest
from asn1crypto import x509
from cryptography.hazmat.primitives.serialization import Encoding

from mougen.verify.provenance import Provenance
from mougen.verify.report_pdf import audit_report_pdf
from mougen.verify.status import FileReport
from mougen.verify.verdict import Verdict
from tests.pki import TestPki
from tests.reportdata import signature_report

WHEN = datetime(2026, 12, 4, 9, 5, tzinfo=UTC)


@pytest.fixture(scope="module")
def pages(tmp_path_factory) -> list[str]:
    """The report's pages as pdftotext lays them out, spaces collapsed."""
    root = TestPki("Report Test Root CA").root.cert.public_bytes(Encoding.DER)
    report = FileReport(
        file="kent.pdf",
        sha256="ab" * 32,
        first_revision_sha256="cd" * 32,
        signatures=[
            signature_report("dcs", "Łucja Wałęsa", None),
            signature_report("lead-member", "Zoë Brontë", "z@example.org", revoked=True),
        ],
        missing_roles=["chief-executive"],
    )
    found = Verdict("kent.pdf", report, Provenance("se-2018", "kent", (), "Kent County Council"))
    pdf = tmp_path_factory.mktemp("audit") / "audit.pdf"
    # the same root from the workspace and from --trust
    pdf.write_bytes(audit_report_pdf([found], [x509.Certificate.load(root)] * 2, WHEN))
    args = ["pdftotext", "-layout", str(pdf), "-"]
    text = subprocess.run(args, capture_output=True, text=True, check=True).stdout
    return [" ".join(page.split()) for page in text.split("\f") if page.strip()]


def test_signers_without_an_email_and_facts_in_words(pages):
    text = " ".join(pages)
    assert "Łucja Wałęsa (no email address)" in text and "<->" not in text
    assert "Zoë Brontë <z@example.org>" in text
    assert "Certificate revoked: yes" in text and "Signer's root trusted: yes" in text
    for python in ("True", "False", "None"):
        assert python not in text.split(), python
    assert "Checked at 4 December 2026 at 09:05 UTC" in text
    assert "Signing time (claimed): 20 November 2026 at 10:00 UTC" in text


def test_each_root_once_and_councils_by_name(pages):
    text = " ".join(pages)
    assert text.count("Report Test Root CA") == 1
    assert "Issued as se-2018 for Kent County Council." in text


def test_the_first_page_is_not_left_nearly_empty(pages):
    assert "Trust roots" in pages[0] and "Field dcs" in pages[0]

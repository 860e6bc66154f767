"""The completion certificate as a person reads it: words inside their columns, the
outcome in words ("valid"), times in words."""

from __future__ import annotations

import subprocess
from datetime import UTC, datetime
from pathlib import Path

import pytest

from mougen.round.certificate import certificate_pdf
from mougen.verify.status import FileReport, Indication
from tests.pdftext import clashes, words
from tests.reportdata import signature_report

WHEN = datetime(2026, 12, 4, 9, 5, tzinfo=UTC)
LONG_EMAIL = "director.of.childrens.services@royalboroughofwindsorandmaidenhead.gov.uk"
MARGIN = 16 * 72 / 25.4  # certificate.typ's margins, in points
A4_WIDTH = 595.28


@pytest.fixture(scope="module")
def certificate(bundled, tmp_path_factory) -> Path:
    report = FileReport(
        file="windsor.pdf",
        sha256="ab" * 32,
        first_revision_sha256="cd" * 32,
        signatures=[
            signature_report("dcs", "Dr Alexandra Featherstonehaugh-Cholmondeley", LONG_EMAIL),
            signature_report("lead-member", "Cllr Zoë Brontë", None),
            signature_report(
                "chief-executive",
                "Sam Patel",
                "sam@example.org",
                indication=Indication.INDETERMINATE,
                sub_indication="NO_CERTIFICATE_CHAIN_FOUND",
                signing_time="2026-12-03T16:45:00+00:00",
            ),
        ],
    )
    entry = bundled.catalog.mou("se-2019-20")
    pdf = tmp_path_factory.mktemp("certificate") / "certificate.pdf"
    pdf.write_bytes(certificate_pdf(entry, "windsor-and-maidenhead", report, "cd" * 32, [], WHEN))
    return pdf


def test_no_word_runs_through_a_column_or_off_the_page(certificate):
    assert not clashes(certificate, 1)
    for word, x0, _, x1, _ in words(certificate, 1):
        assert x0 >= MARGIN - 1 and x1 <= A4_WIDTH - MARGIN + 1, word
    text = "".join(w[0] for w in words(certificate, 1)).replace("\u200b", "")
    assert LONG_EMAIL in text, "the whole address, wrapped where it may break"


def test_outcomes_and_times_are_in_words(certificate):
    text = " ".join(
        subprocess.run(
            ["pdftotext", str(certificate), "-"], capture_output=True, text=True, check=True
        ).stdout.split()
    )
    assert "valid" in text and "cannot be confirmed: the signer's root is not trusted" in text
    assert "20 November 2026 at 10:00 UTC" in text and "3 December 2026 at 16:45 UTC" in text
    assert "Generated 4 December 2026 at 09:05 UTC" in text
    for raw in ("TOTAL_PASSED", "INDETERMINATE", "NO_CERTIFICATE", "T10:00", "+00:00"):
        assert raw not in text, raw

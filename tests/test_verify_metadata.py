"""Metadata changed after the last signature: named in the verdict, from what to what, in
every output, and (by the stated policy) listed without failing the file."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from mougen.verify.metadata import METADATA_CHANGES_FAIL
from mougen.verify.report_pdf import report_data
from mougen.verify.table import render_text
from mougen.verify.validate import Settings, verify_bytes
from mougen.verify.verdict import Verdict
from tests.verify_docs import asn1_cert, issued_pdf, sign_all, update, write


@pytest.fixture(scope="module")
def executed(pki) -> bytes:
    return sign_all(issued_pdf(), pki.signer("Dana Director", "dana@example.org"))


def _retitled(writer) -> None:
    """Give the document a new title (in /Info and the XMP, as pyHanko writes both)."""
    writer.document_meta.title = "A different MoU"
    writer.update_root()


def _untouched(writer) -> None:
    """An update that changes nothing a reader would call metadata (pyHanko still restamps
    the modification date and producer)."""
    writer.update_root()


def test_a_title_changed_after_signing_is_named_in_every_output(pki, executed, run_cli, tmp_path):
    changed = update(executed, _retitled)
    report = verify_bytes(changed, "changed.pdf", Settings([asn1_cert(pki.root)]))
    found = {c.field: (c.before, c.after) for c in report.metadata_changes}
    before, after = found["Info /Title"]
    assert after == "A different MoU" and before and before != after
    assert found["XMP dc:title"] == (before, after)
    assert set(found) == {"Info /Title", "XMP dc:title"}

    verdict = Verdict("changed.pdf", report)
    assert not METADATA_CHANGES_FAIL and verdict.bottom_line, "listed, not failing (the policy)"
    assert "Info /Title changed after the last signature" in render_text(verdict)
    pdf = write(tmp_path / "changed.pdf", changed)
    result = run_cli("verify", str(pdf), "--trust", str(pki.root.write_pem(tmp_path / "r.pem")),
                     "--json")  # fmt: skip
    [entry] = json.loads(result.stdout)
    assert {"field": "Info /Title", "before": before,
            "after": "A different MoU"} in entry["metadata_changes"]  # fmt: skip
    facts = dict(report_data([verdict], [], datetime.now(UTC))["files"][0]["facts"])
    assert (
        "Info /Title changed after the last signature" in facts["Changed after the last signature"]
    )


def test_a_save_that_changes_no_metadata_lists_nothing(pki, executed):
    for data in (executed, update(executed, _untouched)):
        report = verify_bytes(data, "a.pdf", Settings([asn1_cert(pki.root)]))
        assert report.metadata_changes == []

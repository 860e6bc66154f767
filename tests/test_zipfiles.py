"""The pack's zip: the same bytes for the same entries and date, and no second deflate of
formats that are compressed already."""

from __future__ import annotations

import io
import zipfile
from datetime import UTC, datetime

from mougen.zipfiles import deterministic_zip

WHEN = datetime(2026, 11, 22, 9, 30, tzinfo=UTC)
ENTRIES = [("a.pdf", b"%PDF-1.7 " * 50), ("b.DOCX", b"PK" * 100), ("manifest.json", b"{}" * 100)]


def test_the_same_entries_and_date_give_the_same_bytes():
    assert deterministic_zip(ENTRIES, WHEN) == deterministic_zip(list(ENTRIES), WHEN)
    assert deterministic_zip(ENTRIES, WHEN) != deterministic_zip(ENTRIES, WHEN.replace(day=23))


def test_pdf_and_docx_are_stored_and_the_rest_deflated():
    with zipfile.ZipFile(io.BytesIO(deterministic_zip(ENTRIES, WHEN))) as archive:
        methods = {info.filename: info.compress_type for info in archive.infolist()}
        assert {name: archive.read(name) for name in methods} == dict(ENTRIES)
        assert archive.getinfo("a.pdf").date_time == (2026, 11, 22, 9, 30, 0)
    assert methods == {
        "a.pdf": zipfile.ZIP_STORED,
        "b.DOCX": zipfile.ZIP_STORED,
        "manifest.json": zipfile.ZIP_DEFLATED,
    }

"""Bounded cost: files beyond the limits get one line, and lookups do not grow with revisions."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.reader import PdfFileReader

from mougen.verify import limits
from mougen.verify.xrefs import index_xrefs
from tests.pki import TestPki
from tests.verify_docs import issued_pdf, sign, update, write


@pytest.fixture(scope="module")
def dcs_signed() -> bytes:
    return sign(issued_pdf(), "dcs", TestPki().signer("Dana Director"))


def _updated(pdf: bytes, count: int, change) -> bytes:
    """``pdf`` plus ``count`` incremental updates, each made by ``change(writer, i)``."""
    for i in range(count):
        pdf = update(pdf, lambda writer, i=i: change(writer, i))
    return pdf


def _note(writer, i: int) -> None:
    """Add an unreferenced object, and rewrite the document information now and then."""
    writer.add_object(generic.TextStringObject(f"note {i}"))
    if i % 3 == 0:
        writer.set_info(
            generic.DictionaryObject(
                {generic.NameObject("/Title"): generic.TextStringObject(f"v{i}")}
            )
        )
    writer.update_root()


def _verify(run_cli, path: Path):
    result = run_cli("verify", str(path))
    assert "Traceback" not in result.output
    return result


def test_too_many_revisions(run_cli, tmp_path, dcs_signed, monkeypatch):
    monkeypatch.setattr(limits, "MAX_REVISIONS", 10)
    pdf = write(tmp_path / "many.pdf", _updated(dcs_signed, 10, _note))
    result = _verify(run_cli, pdf)
    assert result.exit_code == 2
    [line] = result.output.splitlines()
    assert line.endswith("many.pdf: too large to verify: 12 revisions (the limit is 10)")
    monkeypatch.setattr(limits, "MAX_REVISIONS", 12)
    assert _verify(run_cli, pdf).exit_code == 1  # within the limit: verified (two roles unsigned)


def test_too_many_objects(run_cli, tmp_path, dcs_signed, monkeypatch):
    monkeypatch.setattr(limits, "MAX_OBJECTS", 20)
    result = _verify(run_cli, write(tmp_path / "big.pdf", dcs_signed))
    assert result.exit_code == 2
    assert "too large to verify:" in result.output and "objects (the limit is 20)" in result.output


def test_indexed_lookups_answer_as_pyhanko_does(dcs_signed):
    pdf = _updated(dcs_signed, 12, _note)
    plain = PdfFileReader(io.BytesIO(pdf), strict=False)
    indexed = PdfFileReader(io.BytesIO(pdf), strict=False)
    revisions = plain.xrefs.total_revisions
    written = {
        generic.Reference(n, g)
        for r in range(revisions)
        for n, g in plain.xrefs.get_xref_data(r).explicit_refs_in_revision
    }
    assert index_xrefs(indexed) >= len({ref.idnum for ref in written})
    # Also generations never written, and numbers never used.
    refs = written | {generic.Reference(n, 1) for n in range(5)} | {generic.Reference(999, 0)}
    for ref in refs:
        for revision in range(revisions):
            assert indexed.xrefs.get_historical_ref(
                ref, revision
            ) == plain.xrefs.get_historical_ref(ref, revision)
        for lookup in ("get_last_change", "get_introducing_revision"):
            expected = _answer(getattr(plain.xrefs, lookup), ref)
            assert _answer(getattr(indexed.xrefs, lookup), ref) == expected
    assert type(indexed.xrefs).__name__ == "_IndexedXRefCache"


def _answer(lookup, ref):
    try:
        return lookup(ref)
    except KeyError:
        return KeyError

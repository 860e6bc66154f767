"""The signature fields pikepdf writes read, in pyHanko, exactly as pyHanko's own did."""

from __future__ import annotations

from datetime import UTC, datetime
from io import BytesIO

import pytest
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.fields import SigSeedValueSpec, enumerate_sig_fields

from mougen.render import render_authority
from mougen.render.fields import add_signature_fields
from mougen.render.pdf import write_pdf
from tests.pdftext import pdftotext, qpdf_check
from tests.pyhanko_fields import add_signature_fields as pyhanko_fields

WHEN = datetime(2026, 11, 22, tzinfo=UTC)


def _fields(pdf: bytes) -> dict[str, dict]:
    """Each field as pyHanko reads it: page, rectangle, flags, tooltip, seed values, look."""
    reader = PdfFileReader(BytesIO(pdf), strict=False)
    pages = [p.idnum for p in _page_refs(reader)]
    fields = {}
    for name, value, ref in enumerate_sig_fields(reader, filled_status=False):
        widget = ref.get_object()
        look = widget["/AP"]["/N"]
        fields[name] = {
            "value": value,
            "page": pages.index(widget.raw_get("/P").idnum),
            "rect": [int(v) for v in widget["/Rect"]],
            "flags": int(widget["/F"]),
            "tooltip": str(widget["/TU"]),
            "seed": SigSeedValueSpec.from_pdf_object(widget["/SV"]),
            "look": sorted(abs(float(v)) for v in look["/BBox"]),
            "struct": _element(reader.root["/StructTreeRoot"]["/ParentTree"], widget),
        }
    return fields


def _page_refs(reader: PdfFileReader) -> list[generic.IndirectObject]:
    kids = reader.root["/Pages"]["/Kids"]
    return [kids.raw_get(i) for i in range(len(kids))]


def _element(parent_tree: generic.DictionaryObject, widget: generic.DictionaryObject) -> tuple:
    """The structure element the widget's /StructParent names, and what it points back at."""
    nums = parent_tree["/Nums"]
    keys = [int(nums[i]) for i in range(0, len(nums), 2)]
    element = nums[2 * keys.index(int(widget["/StructParent"])) + 1].get_object()
    objr = element["/K"]
    return (element["/S"], str(element["/Alt"]), objr["/Type"], objr["/Obj"].get_object()["/T"])


def _tree(pdf: bytes) -> list[tuple]:
    """The whole structure tree, depth first: each element's type, text and kid count."""
    reader = PdfFileReader(BytesIO(pdf), strict=False)
    out: list[tuple] = []
    pending = [reader.root["/StructTreeRoot"]]
    while pending:
        node = pending.pop()
        kids = node.get("/K", generic.ArrayObject())
        kids = kids if isinstance(kids, generic.ArrayObject) else generic.ArrayObject([kids])
        elements = [k.get_object() for k in kids]
        elements = [e for e in elements if isinstance(e, generic.DictionaryObject) and "/S" in e]
        out.append(
            (node.get("/S"), str(node.get("/Alt", "")), str(node.get("/Lang", "")), len(kids))
        )
        pending.extend(reversed(elements))
    return out


@pytest.mark.parametrize(("mou_id", "slug"), [("se-2018", "kent"), ("london-2019", "camden")])
def test_pikepdf_fields_read_as_pyhankos_did(bundled, tmp_path, mou_id, slug):
    rendered = render_authority(bundled, mou_id, slug, when=WHEN)
    laid_out = write_pdf(rendered.document, title=rendered.title, when=WHEN, party=rendered.party)
    new = add_signature_fields(laid_out.pdf, laid_out.placements)
    old = pyhanko_fields(laid_out.pdf, laid_out.placements)
    assert new == rendered.pdf  # the code path a pack takes
    assert _fields(new) == _fields(old) and len(_fields(new)) == 3
    assert _tree(new) == _tree(old)
    files = {}
    for name, pdf in (("new", new), ("old", old)):
        files[name] = tmp_path / f"{name}.pdf"
        files[name].write_bytes(pdf)
        assert qpdf_check(files[name]).returncode == 0
    assert pdftotext(files["new"]) == pdftotext(files["old"])
    assert add_signature_fields(laid_out.pdf, laid_out.placements) == new  # deterministic

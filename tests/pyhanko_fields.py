"""The reference for the signature fields: how mougen added them with pyHanko before
pikepdf wrote them (``mougen.render.fields``), kept to compare the two at run time.

Each field is a widget that keeps the document PDF/UA: it takes the place of the
empty ``Signature field: <role>`` figure the layout left in the structure tree, as a
/Form element pointing at the widget, and carries the role's title as its /TU. Its
seed values ask signing software for a PAdES signature (ETSI.CAdES.detached) over SHA-256.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from io import BytesIO

from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.generic import pdf_name
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign.fields import (
    SigFieldSpec,
    SigSeedSubFilter,
    SigSeedValueSpec,
    append_signature_field,
)

from mougen.render.pdf import FieldPlacement
from mougen.roles import role

#: The alternative text the layout gives a role's empty field figure (see mou.typ).
FIELD_ALT = "Signature field: {title}"
SEED_VALUES = SigSeedValueSpec(subfilters=[SigSeedSubFilter.PADES], digest_methods=["sha256"])


class _StableWriter(IncrementalPdfFileWriter):
    """An incremental writer whose output depends only on its input, with no gaps.

    pyHanko stamps each update with the current time and a random second document
    ID; an issued MoU must be byte-identical when rendered again from the same inputs,
    so this writer keeps the renderer's metadata and derives the ID from the input.
    It also numbers new objects from the old /Size (pyHanko starts one higher), so
    every object number below /Size is in use: LibreOffice 7.4 writes a corrupt
    update to a file with an unassigned number.
    """

    def __init__(self, data: bytes):
        super().__init__(BytesIO(data), strict=False)
        first_id = self._document_id[0]
        second_id = generic.ByteStringObject(hashlib.sha256(data).digest()[:16])
        self._document_id = generic.ArrayObject([first_id, second_id])
        self._lastobj_id = int(self.prev.trailer["/Size"]) - 1

    def _update_meta(self):
        pass


def add_signature_fields(pdf: bytes, placements: Iterable[FieldPlacement]) -> bytes:
    """Return ``pdf`` with one empty signature field per placement, named by role id."""
    writer = _StableWriter(pdf)
    placements = list(placements)
    figures = _field_figures(
        writer, {FIELD_ALT.format(title=role(p.role).title) for p in placements}
    )
    for place in placements:
        title = role(place.role).title
        append_signature_field(
            writer,
            SigFieldSpec(
                sig_field_name=place.role,
                on_page=place.page,
                box=place.box,
                empty_field_appearance=True,
                readable_field_name=title,
                seed_value_dict=SEED_VALUES,
            ),
        )
        figure = figures.get(FIELD_ALT.format(title=title))
        if figure is not None:
            _tag_widget(writer, _widget(writer, place.role), figure)
    out = BytesIO()
    writer.write(out)
    return out.getvalue()


def _field_figures(
    writer: IncrementalPdfFileWriter, wanted: set[str]
) -> dict[str, generic.IndirectObject]:
    """The structure elements of the figures whose alternative text is ``wanted``.

    The tree is walked from its end, where the signature blocks are, and only until
    every wanted figure is found: reading the whole tree costs more than the layout.
    """
    found: dict[str, generic.IndirectObject] = {}
    tree = writer.root.get("/StructTreeRoot")
    pending = list(tree.get_object().get("/K", ())) if tree is not None else []
    while pending and len(found) < len(wanted):
        ref = pending.pop()
        element = ref.get_object() if isinstance(ref, generic.IndirectObject) else ref
        if not isinstance(element, generic.DictionaryObject) or "/S" not in element:
            continue
        if element["/S"] == "/Figure" and str(element.get("/Alt", "")) in wanted:
            found[str(element["/Alt"])] = ref
        kids = element.get("/K")
        pending.extend(kids if isinstance(kids, generic.ArrayObject) else [kids])
    return found


def _widget(writer: IncrementalPdfFileWriter, name: str) -> generic.IndirectObject:
    fields = writer.root["/AcroForm"]["/Fields"]
    return next(ref for ref in fields if ref.get_object()["/T"] == name)


def _tag_widget(
    writer: IncrementalPdfFileWriter, widget: generic.IndirectObject, figure: generic.IndirectObject
) -> None:
    """Make ``figure`` the /Form element of ``widget``, and enter it in the parent tree."""
    element = figure.get_object()
    element[pdf_name("/S")] = pdf_name("/Form")
    element[pdf_name("/K")] = generic.DictionaryObject(
        {
            pdf_name("/Type"): pdf_name("/OBJR"),
            pdf_name("/Obj"): widget,
            pdf_name("/Pg"): widget.get_object().raw_get("/P"),
        }
    )
    writer.mark_update(figure)
    tree_ref = writer.root.raw_get("/StructTreeRoot")
    tree = tree_ref.get_object()
    key = int(tree["/ParentTreeNextKey"])
    tree["/ParentTree"]["/Nums"].extend([generic.NumberObject(key), figure])
    tree[pdf_name("/ParentTreeNextKey")] = generic.NumberObject(key + 1)
    writer.mark_update(tree_ref)
    widget.get_object()[pdf_name("/StructParent")] = generic.NumberObject(key)
    writer.mark_update(widget)

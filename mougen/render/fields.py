"""Adding the empty signature fields to a laid-out PDF, with pikepdf.

Each field is a widget that keeps the document PDF/UA: it takes the place of the
empty ``Signature field: <role>`` figure the layout left in the structure tree, as a
/Form element pointing at the widget, and carries the role's title as its /TU. Its
seed values ask signing software for a PAdES signature (ETSI.CAdES.detached) over SHA-256.

pikepdf (qpdf) writes them: it loads in a tenth of the time of pyHanko's signing stack
and writes the fields in a tenth of the time too. pyHanko reads them as it read the
fields it wrote itself (tested); it still signs and validates.
"""

from __future__ import annotations

from collections.abc import Iterable
from io import BytesIO

import pikepdf
from pikepdf import Array, ContentStreamInstruction, Dictionary, Name, Operator

from mougen.render.pdf import FieldPlacement
from mougen.roles import role

#: The alternative text the layout gives a role's empty field figure (see mou.typ).
FIELD_ALT = "Signature field: {title}"
#: Annotation flags: printed (4) and locked (128), as signing tools expect of a signature field.
_PRINT_LOCKED = 132
#: The field's empty look: a light grey box with a thin outline.
_FILL, _OUTLINE_WIDTH = (0.95, 0.95, 0.95), 0.5


def add_signature_fields(pdf: bytes, placements: Iterable[FieldPlacement]) -> bytes:
    """Return ``pdf`` with one empty signature field per placement, named by role id.

    The same input gives the same bytes (the document ID is derived from the content).
    """
    with pikepdf.open(BytesIO(pdf)) as document:
        placements = list(placements)
        figures = _field_figures(document, {_alt(p.role) for p in placements})
        fields = _acro_form(document).Fields
        for place in placements:
            widget = _add_widget(document, place)
            fields.append(widget)
            figure = figures.get(_alt(place.role))
            if figure is not None:
                _tag_widget(document, widget, figure)
        out = BytesIO()
        document.save(out, deterministic_id=True, fix_metadata_version=False)
    return out.getvalue()


def _alt(role_id: str) -> str:
    return FIELD_ALT.format(title=role(role_id).title)


def _acro_form(document: pikepdf.Pdf) -> Dictionary:
    root = document.Root
    if "/AcroForm" not in root:
        root.AcroForm = document.make_indirect(Dictionary(Fields=Array(), SigFlags=1))
    form = root.AcroForm
    assert isinstance(form, Dictionary)
    return form


def _add_widget(document: pikepdf.Pdf, place: FieldPlacement) -> Dictionary:
    """The field and its widget (one dictionary), on its page, with seed values and a look."""
    page = document.pages[place.page].obj
    widget = document.make_indirect(
        Dictionary(
            FT=Name.Sig,
            T=pikepdf.String(place.role),
            Type=Name.Annot,
            Subtype=Name.Widget,
            F=_PRINT_LOCKED,
            Rect=Array(place.box),
            P=page,
            TU=pikepdf.String(role(place.role).title),
        )
    )
    widget.SV = document.make_indirect(
        Dictionary(
            Type=Name.SV,
            Ff=0,
            SubFilter=Array([Name("/ETSI.CAdES.detached")]),
            DigestMethod=Array([pikepdf.String("sha256")]),
            V=2,
        )
    )
    widget.AP = Dictionary(N=_empty_look(document, place.box))
    if "/Annots" not in page:
        page.Annots = Array()
    page.Annots.append(widget)
    return widget


def _empty_look(document: pikepdf.Pdf, box: tuple[int, int, int, int]) -> pikepdf.Stream:
    """The appearance of an unsigned field: a filled box, outlined."""
    width, height = box[2] - box[0], box[3] - box[1]
    frame: list[float] = [0, 0, width, height]
    drawing: list[tuple[list[float], str]] = [
        ([], "q"),
        ([], "q"),
        (list(_FILL), "rg"),
        (frame, "re"),
        ([], "f"),
        ([], "Q"),
        ([_OUTLINE_WIDTH], "w"),
        (frame, "re"),
        ([], "S"),
        ([], "Q"),
    ]
    content = pikepdf.unparse_content_stream(
        [ContentStreamInstruction(operands, Operator(op)) for operands, op in drawing]
    )
    look = pikepdf.Stream(document, content)
    look.Type, look.Subtype = Name.XObject, Name.Form
    look.BBox, look.Resources = Array(frame), Dictionary()
    return look


def _field_figures(document: pikepdf.Pdf, wanted: set[str]) -> dict[str, Dictionary]:
    """The structure elements of the figures whose alternative text is ``wanted``.

    The tree is walked from its end, where the signature blocks are, and only until
    every wanted figure is found.
    """
    found: dict[str, Dictionary] = {}
    tree = document.Root.get("/StructTreeRoot")
    pending = list(tree.get("/K", ())) if tree is not None else []
    while pending and len(found) < len(wanted):
        element = pending.pop()
        if not isinstance(element, Dictionary) or "/S" not in element:
            continue
        if element.S == "/Figure" and str(element.get("/Alt", "")) in wanted:
            found[str(element.Alt)] = element
        kids = element.get("/K")
        if isinstance(kids, Array):
            pending.extend(kids)
        elif kids is not None:
            pending.append(kids)
    return found


def _tag_widget(document: pikepdf.Pdf, widget: Dictionary, figure: Dictionary) -> None:
    """Make ``figure`` the /Form element of ``widget``, and enter it in the parent tree."""
    figure.S = Name.Form
    figure.K = Dictionary(Type=Name.OBJR, Obj=widget, Pg=widget.P)
    tree = document.Root.StructTreeRoot
    key = int(tree.ParentTreeNextKey)
    tree.ParentTree.Nums.extend(Array([key, figure]))
    tree.ParentTreeNextKey = key + 1
    widget.StructParent = key

"""Adding the empty signature fields to a laid-out PDF, with pyHanko."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from io import BytesIO

from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign.fields import SigFieldSpec, append_signature_field

from mougen.render.pdf import FieldPlacement
from mougen.roles import role


class _StableWriter(IncrementalPdfFileWriter):
    """An incremental writer whose output depends only on its input.

    pyHanko stamps each update with the current time and a random second document
    ID; an issued MoU must be byte-identical when rendered again from the same inputs,
    so this writer keeps the renderer's metadata and derives the ID from the input.
    """

    def __init__(self, data: bytes):
        super().__init__(BytesIO(data), strict=False)
        first_id = self._document_id[0]
        second_id = generic.ByteStringObject(hashlib.sha256(data).digest()[:16])
        self._document_id = generic.ArrayObject([first_id, second_id])

    def _update_meta(self):
        pass


def add_signature_fields(pdf: bytes, placements: Iterable[FieldPlacement]) -> bytes:
    """Return ``pdf`` with one empty signature field per placement, named by role id."""
    writer = _StableWriter(pdf)
    for place in placements:
        append_signature_field(
            writer,
            SigFieldSpec(
                sig_field_name=place.role,
                on_page=place.page,
                box=place.box,
                empty_field_appearance=True,
                readable_field_name=role(place.role).title,
            ),
        )
    out = BytesIO()
    writer.write(out)
    return out.getvalue()

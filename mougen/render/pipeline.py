"""Rendering one MoU version for one authority: DOCX, then the model, then the PDF."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cached_property
from pathlib import Path

from docx.document import Document as DocxDocument

from mougen.config.catalog import MouEntry
from mougen.document import Document
from mougen.document.reader import read_opened
from mougen.errors import TemplateError
from mougen.render.context import authority_context, placeholder_context
from mougen.render.docx import fill_template, saved_docx
from mougen.render.fields import add_signature_fields
from mougen.render.handout import handout_docx
from mougen.render.pdf import LaidOut, write_pdf
from mougen.roles import ROLE_IDS
from mougen.workspace import Workspace

#: The footer line of a preview: where the PDF to sign comes from instead.
PREVIEW_NOTE = "Preview, not for signature: sign the PDF in the pack that “mougen pack” makes."


@dataclass(frozen=True)
class Rendered:
    """One rendered MoU: the DOCX to read, the model read from it, and the signable PDF.

    ``party`` is the council the document is made out to, which every page's footer
    names (empty for a placeholder rendering). The PDF is laid out when first asked
    for, so callers that need only the words (the review calendar, checks, redlines)
    do not pay for the layout. ``opened`` is the python-docx document the DOCX is saved
    from, when first asked for (a pack never needs it); the handout is made by changing
    ``opened``, so the plain DOCX cannot be had after the handout.
    """

    document: Document
    title: str
    when: datetime
    opened: DocxDocument = field(compare=False, repr=False)
    party: str = ""

    @cached_property
    def docx(self) -> bytes:
        """The DOCX as the template filled it (what a redline compares)."""
        if "handout" in self.__dict__:
            raise RuntimeError("the plain DOCX is gone once the handout is made from it")
        return saved_docx(self.opened, self.when)

    @cached_property
    def handout(self) -> bytes:
        """The DOCX to hand out: with page numbers, and dotted lines that never wrap."""
        return handout_docx(self.opened, self.when)

    @cached_property
    def pdf(self) -> bytes:
        """The PDF to issue, with an empty signature field over each role's signature line."""
        return self._signable(footer="")

    @cached_property
    def preview_pdf(self) -> bytes:
        """The same PDF marked on every page as a preview that is not for signature.

        Only a PDF that ``pack`` issued is recorded, so only that one can be collected.
        """
        return self._signable(footer=PREVIEW_NOTE)

    def laid_out(self, footer: str = "") -> LaidOut:
        """The PDF laid out, before its signature fields are added (see :func:`with_fields`);
        ``footer`` is an extra line under every page's footer."""
        return write_pdf(
            self.document, title=self.title, when=self.when, footer=footer, party=self.party
        )

    def _signable(self, footer: str) -> bytes:
        return with_fields(self.laid_out(footer))


def with_fields(laid_out: LaidOut) -> bytes:
    """A laid-out PDF with an empty signature field over each role's signature line."""
    return add_signature_fields(laid_out.pdf, laid_out.placements)


#: The date of a rendering read only for its words (or laid out as a check and thrown
#: away): the words never depend on the date, and no file made from it is kept, so no
#: clock is read for it.
WORDS_ONLY = datetime(2000, 1, 1, tzinfo=UTC)


def render_authority(ws: Workspace, mou_id: str, slug: str, *, when: datetime) -> Rendered:
    """Render ``mou_id`` for the party ``slug``."""
    entry = ws.catalog.mou(mou_id)
    party = entry.party(slug)
    context = authority_context(entry, party)
    return render_entry(ws.template_path(mou_id), entry, context, when, party=party.council)


def render_placeholder(ws: Workspace, mou_id: str, *, when: datetime) -> Rendered:
    """Render ``mou_id`` with placeholders for the authority (for redlines and checks)."""
    entry = ws.catalog.mou(mou_id)
    return render_entry(ws.template_path(mou_id), entry, placeholder_context(entry), when)


def render_entry(
    template: Path, entry: MouEntry, context: dict, when: datetime, *, party: str = ""
) -> Rendered:
    """Render a template with a context: the DOCX and its model (the PDF on demand).

    ``party`` is the council named in the PDF's footer."""
    opened = fill_template(template, context)
    document = read_opened(opened, template)
    missing = [r for r in ROLE_IDS if r not in document.anchors]
    if missing:
        raise TemplateError(
            f"no signature anchor for {', '.join(missing)} (add a bookmark "
            + ", ".join(f"sig_{r.replace('-', '_')}" for r in missing)
            + ")",
            template,
        )
    return Rendered(document, entry.mou.title, when, opened, party)

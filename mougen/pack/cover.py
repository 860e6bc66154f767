"""The one-page cover sheet of a pack: who signs, in what order, how, and where it goes."""

from __future__ import annotations

from datetime import datetime
from io import BytesIO
from xml.sax.saxutils import escape

from reportlab.lib.units import mm
from reportlab.platypus import ListFlowable, ListItem, Paragraph, SimpleDocTemplate, Table

from mougen.config import Authority
from mougen.config.catalog import MouEntry
from mougen.render import fonts
from mougen.render.pdf import stamp_date
from mougen.render.styles import stylesheet
from mougen.roles import ROLES


def cover_sheet(
    entry: MouEntry, authority: Authority, pdf_name: str, pdf_sha256: str, when: datetime
) -> bytes:
    """The cover sheet as PDF bytes (deterministic for the same inputs)."""
    out = BytesIO()
    doc = SimpleDocTemplate(
        out,
        pagesize=(210 * mm, 297 * mm),
        leftMargin=20 * mm,
        rightMargin=20 * mm,
        topMargin=18 * mm,
        bottomMargin=18 * mm,
        title=f"Cover sheet: {entry.mou.title}",
        creator="mougen",
        invariant=1,
        initialFontName=fonts.register(),
    )
    story = _story(entry, authority, pdf_name, pdf_sha256, when)
    doc.build(story, onFirstPage=lambda canvas, _: stamp_date(canvas, when))
    return out.getvalue()


def _story(entry, authority, pdf_name, pdf_sha256, when) -> list:
    s = stylesheet()
    e = escape
    return_to = entry.region.return_to or f"the {entry.region.name} programme coordinator"
    return [
        Paragraph("Sign-off pack", s["Subtitle"]),
        Paragraph(e(entry.mou.title), s["Title"]),
        Paragraph(
            f"For <b>{e(authority.council)}</b> ({e(authority.slug)}). "
            f"MoU version <b>{e(entry.mou.id)}</b>, issued {when:%d %B %Y}.",
            s["Normal"],
        ),
        Paragraph("Who signs, in this order", s["Heading 1"]),
        _signatory_table(authority),
        Paragraph("How to sign", s["Heading 1"]),
        Paragraph(
            "Each signatory signs <b>only their own field</b> in the PDF, with their own "
            "certificate. Sign the copy you received, or the copy the previous signatory "
            "returned; every signature is kept.",
            s["Normal"],
        ),
        _steps(
            [
                f"With mougen: <b>mougen sign {e(pdf_name)} --role ROLE "
                "--p12 YOUR-ID.p12 -o signed.pdf</b> (ROLE is dcs, lead-member or "
                "chief-executive; you are asked for your passphrase).",
                "With Adobe Acrobat Reader: open the PDF, click the box labelled with your role, "
                "choose your digital ID, and save the signed copy under a new name.",
                "With Okular or LibreOffice: use Tools, Digital Signatures, and choose the field "
                "named by your role.",
            ]
        ),
        Paragraph("Where to return it", s["Heading 1"]),
        Paragraph(
            f"Return the signed PDF to {e(return_to)}. Do not edit, print to PDF or "
            "re-save the document in another tool: the coordinator checks that it is "
            "the very document issued.",
            s["Normal"],
        ),
        Paragraph("Fingerprint of the issued PDF", s["Heading 1"]),
        Paragraph(
            f"{e(pdf_name)}<br/>SHA-256 <font size='8'>{pdf_sha256}</font>",
            s["Normal"],
        ),
    ]


def _signatory_table(authority: Authority) -> Table:
    s = stylesheet()
    rows = [
        [
            Paragraph("<b>#</b>", s["Normal"]),
            Paragraph("<b>Role</b>", s["Normal"]),
            Paragraph("<b>Signatory</b>", s["Normal"]),
            Paragraph("<b>Field</b>", s["Normal"]),
        ]
    ]
    for number, role in enumerate(ROLES, start=1):
        person = authority.signatories.for_role(role.id)
        who = escape(person.name or "to be confirmed")
        if person.email:
            who += f"<br/>{escape(person.email)}"
        rows.append(
            [
                Paragraph(str(number), s["Normal"]),
                Paragraph(escape(role.title), s["Normal"]),
                Paragraph(who, s["Normal"]),
                Paragraph(role.id, s["Normal"]),
            ]
        )
    return Table(
        rows,
        colWidths=[10 * mm, 60 * mm, 65 * mm, 35 * mm],
        hAlign="LEFT",
        style=[("GRID", (0, 0), (-1, -1), 0.4, "#999999"), ("VALIGN", (0, 0), (-1, -1), "TOP")],
    )


def _steps(items: list[str]) -> ListFlowable:
    s = stylesheet()["Normal"]
    return ListFlowable(
        [ListItem(Paragraph(t, s)) for t in items],
        bulletType="1",
        bulletFontName=s.fontName,
        bulletFontSize=s.fontSize,
    )

"""The audit report: a PDF an auditor can file, recording what was checked and what was found."""

from __future__ import annotations

import io
from collections.abc import Sequence
from datetime import datetime
from xml.sax.saxutils import escape

from asn1crypto import x509
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from mougen import __version__
from mougen.verify.status import FileReport, SignatureReport
from mougen.verify.table import verdict

_STYLES = getSampleStyleSheet()
_SMALL = _STYLES["BodyText"].clone("small", fontSize=8, leading=10)
_GRID = TableStyle(
    [
        ("GRID", (0, 0), (-1, -1), 0.4, colors.grey),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("BACKGROUND", (0, 0), (0, -1), colors.whitesmoke),
    ]
)


def audit_report_pdf(
    reports: Sequence[FileReport], trust_roots: Sequence[x509.Certificate], checked_at: datetime
) -> bytes:
    """The audit report for ``reports``, checked at ``checked_at`` against ``trust_roots``."""
    story = [
        Paragraph("Signature verification report", _STYLES["Title"]),
        _para(f"Checked at {checked_at.isoformat(timespec='seconds')} by mougen {__version__}."),
        Paragraph("Trust roots", _STYLES["Heading2"]),
        *_trust_roots(trust_roots),
    ]
    for report in reports:
        story += _file_section(report)
    buf = io.BytesIO()
    doc = SimpleDocTemplate(
        buf, pagesize=A4, title="Signature verification report", author=f"mougen {__version__}"
    )
    doc.build(story)
    return buf.getvalue()


def _trust_roots(roots: Sequence[x509.Certificate]) -> list:
    if not roots:
        return [_para("None: no signature can be trusted.")]
    rows = [(r.subject.human_friendly, f"SHA-256 {r.sha256.hex()}") for r in roots]
    return [_table(rows)]


def _file_section(report: FileReport) -> list:
    summary = [
        ("Document", report.file),
        ("SHA-256", report.sha256),
        ("Issued revision SHA-256", report.first_revision_sha256 or "-"),
        ("Unsigned roles", ", ".join(report.missing_roles) or "none"),
        ("Verdict", verdict(report)),
    ]
    section = [Spacer(1, 6 * mm), Paragraph(escape(report.file), _STYLES["Heading2"])]
    section.append(_table(summary))
    for signature in report.signatures:
        section += [Paragraph(f"Field {escape(signature.field)}", _STYLES["Heading3"])]
        section.append(_table(_signature_rows(signature)))
    return section


def _signature_rows(s: SignatureReport) -> list[tuple[str, str]]:
    return [
        ("Signer", f"{s.signer or '?'} <{s.email or '-'}>"),
        ("Certificate SHA-256", s.cert_sha256 or "-"),
        ("Signing time (claimed)", s.signing_time or "-"),
        ("Timestamp", s.timestamp or "none"),
        ("Signed revision", str(s.revision)),
        ("Format", s.sub_filter or "-"),
        ("Intact / trusted / revoked", f"{s.intact} / {s.trusted} / {s.revoked}"),
        ("Coverage", s.coverage),
        ("Changes after signing", s.modification.value + (f": {s.changes}" if s.changes else "")),
        ("Indication", s.indication.value + (f" / {s.sub_indication}" if s.sub_indication else "")),
    ]


def _table(rows: Sequence[tuple[str, str]]) -> Table:
    cells = [[_para(k), _para(v)] for k, v in rows]
    table = Table(cells, colWidths=[45 * mm, 125 * mm])
    table.setStyle(_GRID)
    return table


def _para(text: str) -> Paragraph:
    return Paragraph(escape(text), _SMALL)

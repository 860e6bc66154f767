"""The one-page cover sheet of a pack: who signs, in what order, how, and where it goes."""

from __future__ import annotations

from datetime import date, datetime

from mougen.config import Authority
from mougen.config.catalog import MouEntry
from mougen.dates import day_in_words
from mougen.roles import ROLES
from mougen.typeset import typeset


def cover_sheet(
    entry: MouEntry,
    authority: Authority,
    pdf_name: str,
    pdf_sha256: str,
    when: datetime,
    return_by: date | None = None,
) -> bytes:
    """The cover sheet as PDF bytes, laid out by ``cover.typ`` (same inputs, same bytes)."""
    data = cover_data(entry, authority, pdf_name, pdf_sha256, when, return_by)
    return typeset("cover.typ", data, when=when).pdf


def cover_data(
    entry: MouEntry,
    authority: Authority,
    pdf_name: str,
    pdf_sha256: str,
    when: datetime,
    return_by: date | None = None,
) -> dict:
    """What the cover sheet prints, as the JSON data ``cover.typ`` reads."""
    signatories = []
    for number, role in enumerate(ROLES, start=1):
        person = authority.signatories.for_role(role.id)
        signatories.append(
            {
                "number": number,
                "role": role.title,
                "name": person.name or "to be confirmed",
                "email": person.email,
                "field": role.id,
            }
        )
    return {
        "title": f"Cover sheet: {entry.mou.title}",
        "mou_title": entry.mou.title,
        "mou_id": entry.mou.id,
        "council": authority.council,
        "slug": authority.slug,
        "issued": day_in_words(when),
        "signatories": signatories,
        "pdf_name": pdf_name,
        "pdf_sha256": pdf_sha256,
        "return_to": entry.region.return_to or f"the {entry.region.name} programme coordinator",
        "return_by": day_in_words(return_by) if return_by is not None else None,
    }

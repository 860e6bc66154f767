"""The emails the service sends, as plain-text messages."""

from __future__ import annotations

from datetime import date, datetime
from email.message import EmailMessage

from mougen.config.catalog import MouEntry
from mougen.dates import day_in_words
from mougen.roles import role


def _message(to: str, subject: str, body: str) -> EmailMessage:
    message = EmailMessage()
    message["To"] = to
    message["Subject"] = subject
    message.set_content(body)
    return message


def _return_by(when: date | None) -> str:
    return f"Please return it by {day_in_words(when)}.\n\n" if when else ""


def invitation(
    entry: MouEntry,
    slug: str,
    role_id: str,
    to: str,
    url: str,
    expires: datetime,
    return_by: date | None,
    *,
    reminder: bool = False,
) -> EmailMessage:
    """The email asking one signatory to sign, with their personal link."""
    authority = entry.party(slug)
    title = role(role_id).title
    name = authority.signatories.for_role(role_id).name or title
    prefix = "Reminder: " if reminder else ""
    body = (
        f"Dear {name},\n\n"
        f"{entry.mou.title} is ready for you to sign as {title} for {authority.council}.\n\n"
        f"Your personal link (do not forward it):\n{url}\n\n"
        f"The page shows the document, explains how to sign it with your own certificate "
        f"(Adobe Acrobat Reader, a smartcard, or mougen sign), and takes the signed file back.\n\n"
        f"{_return_by(return_by)}"
        f"The link works until {day_in_words(expires)}.\n"
    )
    return _message(to, f"{prefix}Please sign: {entry.mou.title} ({authority.name})", body)


def completion(
    entry: MouEntry,
    slug: str,
    to: str,
    executed: bytes,
    executed_name: str,
    certificate: bytes,
) -> EmailMessage:
    """The email telling a signatory or the coordinator that an MoU is fully executed."""
    authority = entry.party(slug)
    body = (
        f"{entry.mou.title} is now signed by all three signatories for {authority.council}.\n\n"
        "Attached are the executed PDF, which carries every signature, and its completion "
        "certificate (the signing history, the document hashes and the trust roots used).\n"
    )
    message = _message(to, f"Fully executed: {entry.mou.title} ({authority.name})", body)
    message.add_attachment(executed, "application", "pdf", filename=executed_name)
    message.add_attachment(
        certificate,
        "application",
        "pdf",
        filename=executed_name.replace(".pdf", "--certificate.pdf"),
    )
    return message


def activation_code(
    entry: MouEntry, slug: str, role_id: str, to: str, code: str, expires: datetime
) -> EmailMessage:
    """The email carrying a signatory's activation code (in the body only: subjects are
    recorded in the round's email log, codes never are)."""
    authority = entry.party(slug)
    title = role(role_id).title
    body = (
        f"Your code to sign {entry.mou.title} as {title} for {authority.council}:\n\n"
        f"    {code}\n\n"
        f"Enter it on your signing page. It works once, until {expires:%H:%M} UTC "
        f"on {expires:%-d %B %Y}, and only for the document and field shown there.\n\n"
        "If you did not ask for it, do not use it, and tell the programme coordinator.\n"
    )
    return _message(to, f"Your signing code: {entry.mou.title} ({authority.name})", body)

"""The short answer a sender gets: accepted for whom, or not accepted and why."""

from __future__ import annotations

from collections.abc import Sequence
from email.message import EmailMessage

from mougen.collect.collector import Outcome
from mougen.collect.mailbox.letters import Letter
from mougen.config import Catalog
from mougen.errors import MougenError
from mougen.roles import role


def reply(letter: Letter, outcomes: Sequence[Outcome], catalog: Catalog) -> EmailMessage | None:
    """The answer to ``letter`` given what became of its files; None if there is no one to
    answer (no address to reply to)."""
    if letter.address is None:
        return None
    message = EmailMessage()
    message["To"] = letter.address
    subject = letter.subject or "your signed document"
    message["Subject"] = subject if subject.lower().startswith("re:") else f"Re: {subject}"
    if letter.message_id:
        message["In-Reply-To"] = letter.message_id
        message["References"] = letter.message_id
    lines = [_line(o, catalog) for o in outcomes] or [
        "Not accepted: the message carried no PDF. Please reply with the signed PDF attached."
    ]
    message.set_content("\n\n".join(["Thank you.", *lines, "mougen, for the programme team"]))
    return message


def _line(outcome: Outcome, catalog: Catalog) -> str:
    if outcome.accepted:
        return f"{outcome.name}: received and accepted for {_whom(outcome, catalog)}."
    return (
        f"{outcome.name}: not accepted: {outcome.reason}. Please check that you signed the"
        " document we sent you, with your own certificate, and send it again; or ask the"
        " programme team."
    )


def _whom(outcome: Outcome, catalog: Catalog) -> str:
    """``the Chief Executive of Kent`` (and the other roles signed in the same file)."""
    assert outcome.mou is not None and outcome.authority is not None
    try:
        place = catalog.mou(outcome.mou).party(outcome.authority).name
    except MougenError:
        place = outcome.authority
    titles = " and ".join(f"the {role(r).title}" for r in outcome.roles)
    return f"{titles or 'signature'} of {place}"

"""Reading one message from the collection mailbox: who sent it, and the PDFs it carries.

The standard ``email`` package with the modern policy parses the message. Limits on the
number of parts and how deeply they nest are applied while walking its structure, before
any part is decoded; the message's size is checked before it is even fetched. Anything odd
(malformed MIME, an unknown charset, a content type that lies) becomes one line in
``problems``: it never stops the run.
"""

from __future__ import annotations

import codecs
from dataclasses import dataclass
from email import policy
from email.message import EmailMessage, Message
from email.parser import BytesParser
from email.utils import parseaddr

from mougen.digest import sha256_hex
from mougen.verify.limits import MAX_FILE_BYTES

#: The most parts one message may have (a reply with a long thread of forwarded copies
#: has a few dozen); the rest are not looked at.
MAX_PARTS = 200
#: The most attachments looked at in one message.
MAX_ATTACHMENTS = 20
#: How deeply multiparts and forwarded messages may nest.
MAX_DEPTH = 8
_PDF_MAGIC = b"%PDF-"


@dataclass(frozen=True)
class Attachment:
    """A part that claims to be a PDF: by its content type or its ``.pdf`` name."""

    name: str
    data: bytes
    content_type: str

    @property
    def sha256(self) -> str:
        return sha256_hex(self.data)

    @property
    def is_pdf(self) -> bool:
        """Whether the bytes are a PDF, whatever the part claimed (the header may follow
        up to 1 KB of junk, as PDF readers allow)."""
        return _PDF_MAGIC in self.data[:1024]


@dataclass(frozen=True)
class Letter:
    """One message as read: its sender, ``Date``, ``Message-ID`` and ``Subject`` as given,
    the parts claiming to be PDFs, and one line per problem found reading it."""

    sender: str
    sent: str | None
    message_id: str | None
    subject: str
    attachments: tuple[Attachment, ...]
    problems: tuple[str, ...]

    @property
    def address(self) -> str | None:
        """The sender's bare address, where it has one."""
        address = parseaddr(self.sender)[1]
        return address if "@" in address else None


def read_letter(data: bytes) -> Letter:
    """The message ``data`` (RFC 5322 bytes) read into a :class:`Letter`."""
    message = BytesParser(policy=policy.default).parsebytes(data)
    assert isinstance(message, EmailMessage)  # what policy.default makes
    walk = _Walk()
    walk.visit(message, 0)
    headers = {key: _header(message, key, walk.problems) for key in _HEADERS}
    return Letter(
        sender=headers["from"] or "(no sender)",
        sent=headers["date"],
        message_id=headers["message-id"],
        subject=headers["subject"] or "",
        attachments=tuple(walk.attachments),
        problems=tuple(dict.fromkeys(walk.problems)),  # each problem once, in order
    )


_HEADERS = ("from", "date", "message-id", "subject")


def _header(message: Message, key: str, problems: list[str]) -> str | None:
    try:
        value = message.get(key)
    except (ValueError, TypeError, IndexError, LookupError) as exc:
        problems.append(f"the {key} header cannot be read ({exc})")
        return None
    return " ".join(str(value).split()) if value is not None else None


class _Walk:
    """One pass over a message's parts, collecting the PDF candidates and the problems."""

    def __init__(self) -> None:
        self.attachments: list[Attachment] = []
        self.problems: list[str] = []
        self.parts = 0

    def visit(self, part: Message, depth: int) -> None:
        self.parts += 1
        if self.parts > MAX_PARTS:
            self._once(f"more than {MAX_PARTS} parts: the rest were not read")
            return
        if depth > MAX_DEPTH:
            self._once(f"parts nested more than {MAX_DEPTH} deep were not read")
            return
        self._note_defects(part)
        if part.get_content_type() == "message/rfc822" or part.is_multipart():
            for inner in _children(part):  # a forwarded message's parts are read alike
                self.visit(inner, depth + 1)
        elif _claims_pdf(part):
            self._take(part)
        else:
            self._check_charset(part)

    def _take(self, part: Message) -> None:
        name = part.get_filename() or "(unnamed attachment)"
        if len(self.attachments) >= MAX_ATTACHMENTS:
            self._once(f"more than {MAX_ATTACHMENTS} attachments: the rest were not read")
            return
        try:
            data = part.get_payload(decode=True)
        except (ValueError, TypeError, LookupError) as exc:
            self.problems.append(f"{name}: cannot be decoded ({exc})")
            return
        if not isinstance(data, bytes) or len(data) > MAX_FILE_BYTES:
            self.problems.append(f"{name}: empty or larger than any signed MoU, not read")
            return
        attachment = Attachment(name, data, part.get_content_type())
        if attachment.is_pdf and attachment.content_type != "application/pdf":
            self.problems.append(f"{name}: a PDF sent as {attachment.content_type}")
        self.attachments.append(attachment)

    def _note_defects(self, part: Message) -> None:
        for defect in getattr(part, "defects", ()):
            self.problems.append(f"malformed MIME: {type(defect).__name__}")

    def _check_charset(self, part: Message) -> None:
        charset = part.get_content_charset()
        if charset is None:
            return
        try:
            codecs.lookup(charset)
        except LookupError:
            self.problems.append(f"a text part in an unknown charset {charset!r}")

    def _once(self, problem: str) -> None:
        if problem not in self.problems:
            self.problems.append(problem)


def _children(part: Message) -> list[Message]:
    payload = part.get_payload()
    if isinstance(payload, list):
        return [p for p in payload if isinstance(p, Message)]
    return [payload] if isinstance(payload, Message) else []


def _claims_pdf(part: Message) -> bool:
    name = part.get_filename() or ""
    return part.get_content_type() == "application/pdf" or name.lower().endswith(".pdf")

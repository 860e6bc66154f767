"""Collecting from a mailbox: each waiting message's PDFs go through the same acceptance as
an inbox file, then the message is answered and filed away.

The order is what keeps a crash harmless. Each file is filed and its signatures recorded
first; then each part's receipt (sender, ``Date``, ``Message-ID``, outcome) goes into the
tracker; then the sender is answered, only if some receipt was new; and only then is the
message moved, in one IMAP MOVE, to ``mougen/processed`` (every file accepted) or
``mougen/rejected`` (any refused). A run killed anywhere leaves the message where it was,
and the next run files and records nothing twice (signatures are known by their CMS,
receipts by mailbox, UIDVALIDITY, UID and the part's SHA-256) and answers nobody twice.
Messages are never deleted.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from mougen.collect.collector import Outcome, collect_bytes
from mougen.collect.mailbox.connection import MailboxError, opened
from mougen.collect.mailbox.folder import Folder
from mougen.collect.mailbox.letters import Attachment, Letter, read_letter
from mougen.collect.mailbox.replies import reply
from mougen.collect.mailbox.settings import MailboxSettings
from mougen.errors import MougenError
from mougen.mail import Mailer
from mougen.tracker import MailReceipt, Tracker
from mougen.workflow.checking import Checker
from mougen.workflow.filing import sweep_incoming
from mougen.workspace import Workspace

#: The part names a receipt has for the message as a whole.
TOO_LARGE, NO_PDF = "(too large)", "(no PDF)"
#: The longest wait between reconnections in --watch.
MAX_BACKOFF = 60


@dataclass(frozen=True)
class MessageOutcome:
    """What became of one message: its files' outcomes, where it was filed (None: left
    where it was), why it was refused as a whole, and the problems found reading it."""

    uid: int
    sender: str
    sent: str | None
    message_id: str | None
    files: tuple[Outcome, ...] = ()
    folder: str | None = None
    reason: str | None = None
    problems: tuple[str, ...] = ()
    replied: str | None = None

    @property
    def accepted(self) -> bool:
        return bool(self.files) and all(o.accepted for o in self.files)


def collect_mailbox(
    ws: Workspace,
    settings: MailboxSettings,
    tracker: Tracker,
    checker: Checker,
    mailer: Mailer | None,
) -> list[MessageOutcome]:
    """Collect every waiting message once; ``mailer`` None sends no answers."""
    with opened(settings) as box:
        return collect_waiting(ws, box, tracker, checker, mailer)


def watch(
    ws: Workspace,
    settings: MailboxSettings,
    tracker: Tracker,
    checker: Checker,
    mailer: Mailer | None,
    report: Callable[[MessageOutcome | MailboxError], None],
) -> None:
    """Collect, then wait for news (IDLE, else ``poll_seconds``), forever; after a failure,
    report it and reconnect, waiting twice as long each time up to a minute."""
    backoff = 1
    while True:
        try:
            with opened(settings) as box:
                backoff = 1
                while True:
                    for outcome in collect_waiting(ws, box, tracker, checker, mailer):
                        report(outcome)
                    box.wait(settings.poll_seconds)
        except MailboxError as exc:
            report(exc)
        time.sleep(backoff)
        backoff = min(backoff * 2, MAX_BACKOFF)


def collect_waiting(
    ws: Workspace, box: Folder, tracker: Tracker, checker: Checker, mailer: Mailer | None
) -> list[MessageOutcome]:
    """Collect each message waiting in the open folder; those already reported are left out."""
    sweep_incoming(ws)
    left = {  # messages without a PDF, reported already: not fetched again
        r.uid
        for r in tracker.receipts(box.settings.name)
        if r.part_sha256 == NO_PDF and r.uidvalidity == box.uidvalidity
    }
    uids = [uid for uid in box.waiting() if uid not in left]
    outcomes = (_collect_message(ws, box, tracker, uid, checker, mailer) for uid in uids)
    return [o for o in outcomes if o is not None]


def _collect_message(
    ws: Workspace, box: Folder, tracker: Tracker, uid: int, checker: Checker, mailer: Mailer | None
) -> MessageOutcome | None:
    size = box.size(uid)
    if size is None:
        return None  # gone meanwhile: another collector took it
    limit = box.settings.max_message_bytes
    if size > limit:
        letter = read_letter(box.headers(uid) or b"")
        reason = f"the message is {size / 2**20:.1f} MB, over the {limit // 2**20} MB limit"
        return _refuse_whole(box, tracker, uid, letter, reason, mailer, ws)
    data = box.fetch(uid)
    if data is None:
        return None
    letter = read_letter(data)
    if not letter.attachments:
        if not tracker.record_receipt(_receipt(box, uid, letter, NO_PDF, NO_PDF, None)):
            return None  # reported by an earlier run; it stays for the coordinator
        return _outcome(uid, letter, reason="no PDF attached: left in the mailbox")
    files = tuple(_collect_part(ws, tracker, part, checker) for part in letter.attachments)
    receipts = [
        _receipt(box, uid, letter, part.sha256, part.name, o)
        for part, o in zip(letter.attachments, files, strict=True)
    ]
    new = [tracker.record_receipt(r) for r in receipts]
    replied = _answer(letter, files, mailer, ws) if any(new) else None
    folder = box.file(uid, "processed" if all(o.accepted for o in files) else "rejected")
    return _outcome(uid, letter, files=files, folder=folder, replied=replied)


def _collect_part(ws: Workspace, tracker: Tracker, part: Attachment, checker: Checker) -> Outcome:
    if not part.is_pdf:
        return Outcome(part.name, reason=f"not a PDF, though sent as {part.content_type}")
    return collect_bytes(ws, part.data, part.name, tracker, checker)


def _refuse_whole(
    box: Folder,
    tracker: Tracker,
    uid: int,
    letter: Letter,
    reason: str,
    mailer: Mailer | None,
    ws: Workspace,
) -> MessageOutcome:
    refused = Outcome(TOO_LARGE, reason=reason)
    new = tracker.record_receipt(_receipt(box, uid, letter, TOO_LARGE, TOO_LARGE, refused))
    replied = _answer(letter, (refused,), mailer, ws) if new else None
    folder = box.file(uid, "rejected")
    return _outcome(uid, letter, folder=folder, reason=reason, replied=replied)


def _answer(
    letter: Letter, files: Sequence[Outcome], mailer: Mailer | None, ws: Workspace
) -> str | None:
    """Send the answer; where it went, or why it was not sent."""
    if mailer is None:
        return None
    message = reply(letter, files, ws.catalog)
    if message is None:
        return "not answered: no sender address"
    try:
        return mailer.send(message)
    except MougenError as exc:
        return f"not answered: {exc.detail}"


def _receipt(
    box: Folder, uid: int, letter: Letter, part: str, name: str, outcome: Outcome | None
) -> MailReceipt:
    return MailReceipt(
        mailbox=box.settings.name,
        uidvalidity=box.uidvalidity,
        uid=uid,
        part_sha256=part,
        part_name=name,
        sender=letter.sender,
        sent=letter.sent,
        message_id=letter.message_id,
        accepted=outcome is not None and outcome.accepted,
        mou=outcome.mou if outcome else None,
        authority=outcome.authority if outcome else None,
        reason=outcome.reason if outcome else NO_PDF,
    )


def _outcome(uid: int, letter: Letter, **values: Any) -> MessageOutcome:
    return MessageOutcome(
        uid, letter.sender, letter.sent, letter.message_id, problems=letter.problems, **values
    )

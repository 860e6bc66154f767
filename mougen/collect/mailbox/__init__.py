"""Collecting returned PDFs from an IMAP mailbox: settings, the connection, reading a
message, answering its sender, and the run that ties them together."""

from mougen.collect.mailbox.connection import MailboxError
from mougen.collect.mailbox.folder import EmlFolder, Folder
from mougen.collect.mailbox.run import (
    MessageOutcome,
    collect_mailbox,
    collect_waiting,
    watch,
)
from mougen.collect.mailbox.settings import (
    PASSWORD_ENV,
    MailboxSettings,
    configured,
    from_url,
    replies_mailer,
    with_password,
)

__all__ = [
    "PASSWORD_ENV",
    "EmlFolder",
    "Folder",
    "MailboxError",
    "MailboxSettings",
    "MessageOutcome",
    "collect_mailbox",
    "collect_waiting",
    "configured",
    "from_url",
    "replies_mailer",
    "watch",
    "with_password",
]

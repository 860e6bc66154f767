"""The conversation with the IMAP server (through IMAPClient): open the folder, list what is
waiting, fetch a message, file it away, and wait for news (IDLE where the server offers it).

Every network or protocol failure becomes :class:`MailboxError`, one line naming the server,
so a caller can report it or, when watching, reconnect.
"""

from __future__ import annotations

import contextlib
import ssl
import time
from collections.abc import Iterator
from contextlib import contextmanager

from imapclient import IMAPClient
from imapclient.exceptions import IMAPClientError

from mougen.collect.mailbox.settings import MailboxSettings
from mougen.errors import MougenError

#: Where finished messages go, under the mailbox's root (``mougen.processed`` or
#: ``mougen/processed``, as the server separates folder names).
DONE_FOLDERS = {"processed": ("mougen", "processed"), "rejected": ("mougen", "rejected")}
#: The flag set instead, where a message cannot be moved.
DONE_FLAG = b"$MougenDone"
TIMEOUT = 60
#: IDLE is renewed well inside the 29 minutes RFC 2177 lets a server wait.
IDLE_SECONDS = 600


class MailboxError(MougenError):
    """The mailbox cannot be reached or used: a network, TLS, login or protocol failure."""


@contextmanager
def opened(settings: MailboxSettings) -> Iterator[Mailbox]:
    """A logged-in connection with the settings' folder selected; logged out afterwards."""
    with _failures(settings):
        client = _connect(settings)
    try:
        mailbox = Mailbox(client, settings)
        yield mailbox
    finally:
        with contextlib.suppress(OSError, IMAPClientError):
            client.logout()  # (a connection already gone has nothing left to close)


class Mailbox:
    """The selected folder of one logged-in connection."""

    def __init__(self, client: IMAPClient, settings: MailboxSettings):
        self._client = client
        self.settings = settings
        with _failures(settings):
            selected = client.select_folder(settings.folder)
            self.uidvalidity = int(selected[b"UIDVALIDITY"])
            self.can_move = client.has_capability("MOVE")
            self.can_idle = client.has_capability("IDLE")

    def waiting(self) -> list[int]:
        """The UIDs of the messages not yet done, oldest first."""
        with _failures(self.settings):
            criteria = ["ALL"] if self.can_move else ["NOT", "KEYWORD", DONE_FLAG.decode()]
            return sorted(int(uid) for uid in self._client.search(criteria))

    def size(self, uid: int) -> int | None:
        """The message's size in bytes; None if it is gone."""
        with _failures(self.settings):
            found = self._client.fetch([uid], ["RFC822.SIZE"])
        return int(found[uid][b"RFC822.SIZE"]) if uid in found else None

    def fetch(self, uid: int) -> bytes | None:
        """The message's bytes, leaving it unread (BODY.PEEK); None if it is gone."""
        return self._peek(uid, "")

    def headers(self, uid: int) -> bytes | None:
        """The message's header, leaving it unread; None if it is gone."""
        return self._peek(uid, "HEADER")

    def _peek(self, uid: int, section: str) -> bytes | None:
        with _failures(self.settings):
            found = self._client.fetch([uid], [f"BODY.PEEK[{section}]"])
        return bytes(found[uid][f"BODY[{section}]".encode()]) if uid in found else None

    def file(self, uid: int, outcome: str) -> str:
        """Move the message to ``mougen/<outcome>`` (created if missing), in one step; where
        the server cannot move, flag it done instead. Returns where it went."""
        with _failures(self.settings):
            if not self.can_move:
                self._client.add_flags([uid], [DONE_FLAG])
                return f"flagged {DONE_FLAG.decode()}"
            folder = self._folder(DONE_FOLDERS[outcome])
            self._client.move([uid], folder)
            return folder

    def wait(self, seconds: float) -> None:
        """Return when the folder may have news: with IDLE at the first untagged response,
        else after ``seconds``."""
        if not self.can_idle:
            time.sleep(seconds)
            return
        with _failures(self.settings):
            self._client.idle()
            try:
                self._client.idle_check(timeout=min(seconds, IDLE_SECONDS))
            finally:
                self._client.idle_done()

    def _folder(self, parts: tuple[str, ...]) -> str:
        delimiter = self._client.namespace().personal[0][1] or "/"
        if isinstance(delimiter, bytes):
            delimiter = delimiter.decode()
        name = delimiter.join(parts)
        if not self._client.folder_exists(name):
            self._client.create_folder(name)
        return name


def _connect(settings: MailboxSettings) -> IMAPClient:
    """Connect with TLS checked against the system's roots (or ``SSL_CERT_FILE``) and log in."""
    context = ssl.create_default_context()
    implicit = settings.tls == "implicit"
    client = IMAPClient(
        settings.host, port=settings.port, ssl=implicit, ssl_context=context, timeout=TIMEOUT
    )
    if not implicit:
        client.starttls(context)
    client.login(settings.user, settings.password)
    return client


@contextmanager
def _failures(settings: MailboxSettings) -> Iterator[None]:
    """Network, TLS and IMAP failures as one :class:`MailboxError` line."""
    try:
        yield
    except (IMAPClientError, OSError) as exc:  # (timeouts and TLS errors are OSErrors)
        where = f"imap {settings.user}@{settings.host}:{settings.port}/{settings.folder}"
        # (an IMAP error carries the server's words; an OSError's str names the errno or
        # the TLS problem, such as CERTIFICATE_VERIFY_FAILED)
        text = exc.args[0] if isinstance(exc, IMAPClientError) and exc.args else str(exc)
        if isinstance(text, bytes):
            text = text.decode("utf-8", "replace")
        raise MailboxError(f"{where}: {text or type(exc).__name__}") from None

"""Handing a message over: to an SMTP server, or to a ``.eml`` file in the outbox."""

from __future__ import annotations

import email.utils
import smtplib
import ssl
import uuid
from collections.abc import Callable
from datetime import datetime
from email.message import EmailMessage
from pathlib import Path

from mougen import atomic
from mougen.errors import MougenError
from mougen.mail.settings import SmtpSettings

SMTP_TIMEOUT = 30


def outbox_dir(root: Path) -> Path:
    """Where messages go when no SMTP server is configured."""
    return root / "outbox"


class Mailer:
    """Sends messages as configured; ``send`` says where each one went."""

    def __init__(self, settings: SmtpSettings, outbox: Path, clock: Callable[[], datetime]):
        self.settings = settings
        self.outbox = outbox
        self._clock = clock  # dates each message and names each outbox file

    @property
    def sender(self) -> str:
        return self.settings.sender

    def send(self, message: EmailMessage) -> str:
        """Send ``message``; returns ``smtp:HOST`` or the outbox file's name."""
        if "From" not in message:
            message["From"] = self.settings.sender
        # What mail clients sort and thread by, and spam filters expect.
        if "Date" not in message:
            message["Date"] = email.utils.format_datetime(self._clock())
        if "Message-ID" not in message:
            domain = email.utils.parseaddr(str(message["From"]))[1].rpartition("@")[2]
            message["Message-ID"] = email.utils.make_msgid(domain=domain or None)
        if self.settings.host is None:
            return self._to_outbox(message)
        return self._to_smtp(message, self.settings.host)

    def _to_outbox(self, message: EmailMessage) -> str:
        stamp = self._clock().strftime("%Y%m%dT%H%M%S.%f")
        # Messages hold signatories' personal links: the folder is the owner's only.
        self.outbox.mkdir(mode=0o700, parents=True, exist_ok=True)
        path = self.outbox / f"{stamp}-{uuid.uuid4().hex[:12]}.eml"
        atomic.write_bytes(path, message.as_bytes(), mode=0o600)
        return f"outbox/{path.name}"

    def _to_smtp(self, message: EmailMessage, host: str) -> str:
        s = self.settings
        try:
            with smtplib.SMTP(host, s.port, timeout=SMTP_TIMEOUT) as smtp:
                if s.starttls:
                    smtp.starttls(context=ssl.create_default_context())
                if s.user:
                    smtp.login(s.user, s.password or "")
                smtp.send_message(message)
        except (OSError, smtplib.SMTPException) as exc:
            raise MougenError(f"cannot send email through {host}:{s.port} ({exc})") from None
        return f"smtp:{host}"

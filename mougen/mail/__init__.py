"""Sending email: through SMTP when it is configured, else as ``.eml`` files in ``outbox/``."""

from mougen.mail.sender import Mailer, outbox_dir
from mougen.mail.settings import SmtpSettings, smtp_settings

__all__ = ["Mailer", "SmtpSettings", "outbox_dir", "smtp_settings"]

"""What ``mougen serve`` warns about at start-up: settings a service reachable from other
machines must have (TLS and secure cookies, its own secret key, accounts kept to regions,
logs handled), and a link base that does not point at where it listens."""

from __future__ import annotations

import stat
from pathlib import Path
from urllib.parse import urlsplit

from mougen.round.records import Account
from mougen.round.settings import WebSettings

#: Addresses only this machine can reach: the production checks are skipped there.
LOCAL_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})


def startup_warnings(
    settings: WebSettings, host: str, port: int, secret: Path, accounts: list[Account]
) -> list[str]:
    """One sentence per setting to fix before serving on ``host``:``port``."""
    warnings = _link_base(settings.base_url, host, port)
    if host in LOCAL_HOSTS:
        return warnings
    if not settings.base_url.startswith("https://") or not settings.secure_cookies:
        warnings.append(
            "not local, but base_url is not https:// or secure_cookies is off: serve behind "
            "TLS and set both in web.toml"
        )
    if secret.exists() and stat.S_IMODE(secret.stat().st_mode) & 0o077:
        warnings.append(f"the secret key {secret} can be read by others: chmod 600 it")
    if not accounts or all(a.administrator for a in accounts):
        warnings.append(
            "no account is kept to a region: give each coordinator `users add NAME --region R`"
        )
    warnings.append(
        "`mougen serve` logs to stderr and runs one process: for production run gunicorn "
        "(README: Running the service) and keep its logs where only operators read them"
    )
    return warnings


def _link_base(base_url: str, host: str, port: int) -> list[str]:
    """Links in emails begin with ``base_url``; the default one only works for this port."""
    link = urlsplit(base_url)
    if link.hostname in LOCAL_HOSTS and (link.port or 80) != port:
        return [
            f"emails link to {base_url}, but the service listens on {host}:{port}: set "
            "base_url in web.toml to the address signatories will use"
        ]
    return []

"""A throw-away Dovecot IMAP server for the mailbox tests.

It listens on 127.0.0.1 on a free port with implicit TLS, under a certificate made at run
time (trust it with ``SSL_CERT_FILE=server.cert``), and knows one user from a passwd-file.
Its configuration, state, sockets and mail all live in one temporary folder, so a system
Dovecot started by Debian (if any) neither sees nor disturbs it.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

USER = "returns"
PASSWORD = "imap tests only"
#: How many throw-away users the server knows (each test takes a fresh one).
USERS = 100


class ImapUnavailable(Exception):
    """Dovecot is not installed, or would not start."""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _self_signed(cert: Path, key: Path) -> None:
    private = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = dt.datetime.now(dt.UTC)
    alt = x509.SubjectAlternativeName(
        [x509.IPAddress(ipaddress.ip_address("127.0.0.1")), x509.DNSName("localhost")]
    )
    built = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(private.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(alt, critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(private, hashes.SHA256())
    )
    cert.write_bytes(built.public_bytes(serialization.Encoding.PEM))
    key.write_bytes(
        private.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    key.chmod(0o600)


def _mail_owner() -> pwd.struct_passwd:
    """Whom the mail belongs to: Dovecot will not serve mail as root, so root lends it to the
    ``dovecot`` user; anyone else serves their own."""
    if os.getuid() == 0:
        return pwd.getpwnam("dovecot")
    return pwd.getpwuid(os.getuid())


_CONFIG = """\
base_dir = {root}/run
state_dir = {root}/state
log_path = {root}/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = required
ssl_cert = <{root}/server.cert
ssl_key = <{root}/server.key
auth_mechanisms = plain
mail_location = maildir:{root}/mail/%u
mail_uid = {uid}
mail_gid = {gid}
first_valid_uid = 1
{users}
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {root}/passwd
}}
userdb {{
  driver = static
  args = uid={uid} gid={gid} home={root}/mail/%u
}}
service imap-login {{
  inet_listener imap {{
    port = {starttls_port}
  }}
  inet_listener imaps {{
    port = {port}
    ssl = yes
  }}
}}
service anvil {{
  chroot =
}}
service imap-login {{
  chroot =
}}
"""


class ImapServer:
    """One Dovecot instance: ``start``, ``stop``, ``restart`` (same port, same mail)."""

    def __init__(self) -> None:
        if shutil.which("dovecot") is None:
            raise ImapUnavailable("dovecot is not installed (scripts/setup.sh installs it)")
        # Its own folder, not pytest's (private to root): Dovecot's workers must reach it.
        self.root = root = Path(tempfile.mkdtemp(prefix="mougen-imap-"))
        root.chmod(0o711)
        self.port = free_port()
        self.starttls_port = free_port()  # plain IMAP, where login needs STARTTLS first
        self.cert = root / "server.cert"
        self._handed = 0
        _self_signed(self.cert, root / "server.key")
        owner = _mail_owner()
        # Every user is made now: Dovecot may not notice a passwd-file changing meanwhile.
        names = [USER, *(f"user{n}" for n in range(1, USERS))]
        (root / "passwd").write_text("".join(f"{n}:{{PLAIN}}{PASSWORD}\n" for n in names))
        mail = root / "mail"
        mail.mkdir()
        os.chown(mail, owner.pw_uid, owner.pw_gid)
        users = ""
        if os.getuid() != 0:  # an unprivileged Dovecot runs everything as its caller
            me = owner.pw_name
            users = f"default_login_user = {me}\ndefault_internal_user = {me}\n"
        self.config = root / "dovecot.conf"
        self.config.write_text(
            _CONFIG.format(
                root=root,
                uid=owner.pw_uid,
                gid=owner.pw_gid,
                port=self.port,
                starttls_port=self.starttls_port,
                users=users,
            )
        )

    def url(self, user: str = USER, *, starttls: bool = False) -> str:
        if starttls:
            return f"imap://{user}@127.0.0.1:{self.starttls_port}/INBOX"
        return f"imaps://{user}@127.0.0.1:{self.port}/INBOX"

    def new_user(self) -> str:
        """A user not handed out before, with an empty mailbox (and the one test password)."""
        self._handed += 1
        if self._handed >= USERS:
            raise ImapUnavailable(f"only {USERS} throw-away users")
        return f"user{self._handed}"

    def start(self) -> None:
        # (Dovecot's daemon keeps any pipe open: its output goes to a file)
        with open(self.root / "start.log", "w+") as out:
            done = subprocess.run(
                ["dovecot", "-c", str(self.config)],
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=out,
                check=False,
            )
            out.seek(0)
            if done.returncode != 0:
                raise ImapUnavailable(f"dovecot did not start: {out.read().strip()}")
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                return
            except OSError:
                time.sleep(0.05)
        raise ImapUnavailable(f"dovecot is not listening on {self.port}: {self.log()}")

    def stop(self) -> None:
        subprocess.run(
            ["doveadm", "-c", str(self.config), "stop"],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            check=False,
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and (self.root / "run" / "master.pid").exists():
            time.sleep(0.05)

    def restart(self) -> None:
        self.stop()
        self.start()

    def remove(self) -> None:
        """Stop the server and remove its folder, mail and all."""
        self.stop()
        shutil.rmtree(self.root, ignore_errors=True)

    def log(self) -> str:
        path = self.root / "dovecot.log"
        return path.read_text(errors="replace")[-2000:] if path.exists() else ""

"""The demonstration's remote signatures: one authority's three signatories sign from their
links with programme keys held in a SoftHSM2 token, released by the codes in ``outbox/``.

The token, its ``softhsm2.conf`` and its PIN file stay inside the demo workspace; the PIN is
made for the run and typed into ``softhsm2-util`` through a terminal, never a command line.
"""

from __future__ import annotations

import os
import pty
import re
import secrets
import subprocess
from collections.abc import Callable
from datetime import datetime
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path

import pkcs11

from mougen.errors import MougenError
from mougen.hsm import TokenSettings
from mougen.mail.sender import outbox_dir
from mougen.pki import configured_signatory, load_ca
from mougen.remote.codes import Client, Outcome
from mougen.remote.credentials import enrol
from mougen.roles import ROLE_IDS
from mougen.round.records import Actor
from mougen.round.remote import RemoteSigning
from mougen.round.signing_round import SigningRound
from mougen.tracker import Tracker
from mougen.workspace import Workspace

#: Where Debian's softhsm2 package puts the PKCS#11 module.
SOFTHSM_LIBS = (
    Path("/usr/lib/softhsm/libsofthsm2.so"),
    Path("/usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so"),
)
TOKEN_LABEL = "mougen-demo"
DEMO_CLIENT = Client("127.0.0.1", "mougen demo")


def sign_remotely(
    ws: Workspace,
    mou: str,
    authority: str,
    ca_passphrase: Path,
    now: datetime,
    say: Callable[[str], None],
) -> None:
    """Make the workspace's token, enrol ``authority``'s signatories in it, invite them, and
    sign each role in turn with the code emailed to it (read from ``outbox/``)."""
    token = make_token(ws)
    conf = os.environ["SOFTHSM2_CONF"]
    say(f"token    SoftHSM2 token in softhsm/, PIN in demo-secrets/; serve: SOFTHSM2_CONF={conf}")
    region = ws.catalog.mou(mou).region.id
    ca = load_ca(ws, region, ca_passphrase.read_bytes().strip())
    for role in ROLE_IDS:
        who = configured_signatory(ws, authority, role)[1]
        enrol(ws, ca, who, token, when=now)
    say(f"enrolled {authority}'s {len(ROLE_IDS)} signatories: keys made inside the token")
    with Tracker.open(ws.db_url) as tracker:
        service = SigningRound(ws, tracker)
        remote = RemoteSigning(service, token)
        service.invite(mou, [authority], Actor("mougen demo", None))
        for role in ROLE_IDS:
            address = str(
                service.ws.catalog.mou(mou).party(authority).signatories.for_role(role).email
            )
            link = _found(ws, address, "Please sign", r"/sign/(\S+)")
            remote.request_code(link, DEMO_CLIENT)
            code = _found(ws, address, "Your signing code", r"^\s+(\d{6})\s*$")
            if remote.confirm(link, code, DEMO_CLIENT).outcome is not Outcome.ACCEPTED:
                raise MougenError(f"the demonstration's code for {authority}'s {role} was refused")
            say(f"remote   {authority}'s {role} <{address}> signed with the code from outbox/")
        if not service.state(mou, authority).complete:
            raise MougenError(f"the demonstration's remote round for {authority} did not complete")
    say(f"executed {authority}: three remote signatures, each with a programme key in the token")


def make_token(ws: Workspace) -> TokenSettings:
    """A fresh token in ``softhsm/``, its PIN in ``demo-secrets/``, named in ``web.toml``."""
    library = next((p for p in SOFTHSM_LIBS if p.is_file()), None)
    if library is None:
        raise MougenError("the demo needs SoftHSM2 (Debian package softhsm2): scripts/setup.sh")
    home = ws.root / "softhsm"
    (home / "tokens").mkdir(parents=True)
    conf = home / "softhsm2.conf"
    conf.write_text(f"directories.tokendir = {home / 'tokens'}\nobjectstore.backend = file\n")
    os.environ["SOFTHSM2_CONF"] = str(conf)
    pin = "".join(secrets.choice("0123456789") for _ in range(8))
    _init_token(pin, secrets.token_hex(8))
    pkcs11.lib(str(library)).reinitialize()  # a module loaded earlier reads this configuration
    pin_file = ws.root / "demo-secrets" / "token-pin"
    pin_file.touch(mode=0o600)
    pin_file.write_text(pin + "\n")
    with (ws.root / "web.toml").open("a", encoding="utf-8") as settings:
        settings.write(
            f'[token]\nlibrary = "{library}"\nlabel = "{TOKEN_LABEL}"\npin_file = "{pin_file}"\n'
        )
    return TokenSettings(library, TOKEN_LABEL, pin.encode())


def _init_token(pin: str, so_pin: str) -> None:
    """``softhsm2-util --init-token``, the PINs typed at its terminal prompts."""
    command = ["softhsm2-util", "--init-token", "--free", "--label", TOKEN_LABEL]
    terminal, typed_at = pty.openpty()
    with subprocess.Popen(
        command, stdin=typed_at, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
    ) as p:
        os.close(typed_at)
        os.write(terminal, f"{so_pin}\n{so_pin}\n{pin}\n{pin}\n".encode())
        out, _ = p.communicate(timeout=60)
    os.close(terminal)
    if p.returncode != 0:
        last = out.decode(errors="replace").strip().splitlines()[-1:]
        raise MougenError(f"softhsm2-util could not make the demo's token: {' '.join(last)}")


def _found(ws: Workspace, to: str, subject: str, pattern: str) -> str:
    """What ``pattern`` finds in the newest message in ``outbox/`` to ``to`` about ``subject``."""
    messages = [_read(p) for p in sorted(outbox_dir(ws.root).glob("*.eml"))]
    wanted = [m for m in messages if str(m["To"]) == to and subject in str(m["Subject"])]
    body = wanted[-1].get_content() if wanted else ""
    found = re.search(pattern, body, re.M)
    if found is None:
        raise MougenError(f"no '{subject}' email to {to} in {outbox_dir(ws.root)}")
    return found.group(1)


def _read(path: Path) -> EmailMessage:
    return message_from_bytes(path.read_bytes(), policy=policy.default)

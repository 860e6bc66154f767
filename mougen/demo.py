"""The demonstration round: every step of mougen on the bundled data, in a new workspace.

It issues every pack of every MoU version, gives the South East a programme CA, has
Milton Keynes' three signatories sign the version in force in turn (the second replies by
email with the file they signed, collected from a saved message as ``collect --mailbox``
collects one), collects and verifies the result, invites Oxfordshire's DCS through the web
service (to ``outbox/``), has Reading's three signatories sign remotely with keys in a
SoftHSM2 token kept in the workspace (``demo_remote``), and writes the se-2018 -> se-2019-20
redline and the dashboard.
Signatories' keys and passphrases are made for the run and never leave memory or a temporary
folder; the South East CA's passphrase is kept in ``demo-secrets/`` so its CA stays usable.
"""

from __future__ import annotations

import secrets
import tempfile
from collections.abc import Callable
from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime, formataddr, make_msgid
from pathlib import Path

from ruamel.yaml.comments import CommentedMap

from mougen import atomic
from mougen.collect import collect_inbox
from mougen.collect.mailbox import EmlFolder, collect_waiting, replies_mailer
from mougen.config.edit import edit_authority
from mougen.demo_remote import sign_remotely
from mougen.errors import MougenError
from mougen.pack import build_packs
from mougen.pack.issued import record_issued
from mougen.pki import configured_signatory, init_ca, issue_certificate, load_ca, write_pkcs12
from mougen.redline import load_version, write_redline
from mougen.reports import dashboard_html, reviews
from mougen.roles import ROLE_IDS
from mougen.round.records import Actor
from mougen.round.signing_round import SigningRound
from mougen.signing import load_pkcs12, sign_pdf
from mougen.tracker import Tracker
from mougen.verify import verify_file
from mougen.verify.workspace_trust import workspace_trust_roots
from mougen.workflow.checking import Checker, workspace_spec
from mougen.workspace import Workspace, init_workspace

SIGNING_MOU, SIGNING_AUTHORITY = "se-2019-20", "milton-keynes"
#: The role whose signatory returns their file by email.
EMAILED = "lead-member"
#: The authority whose signatories the demo invites through the web service.
ONLINE_AUTHORITY = "oxfordshire"
#: The authority whose signatories sign remotely, with keys in the demo's SoftHSM2 token.
REMOTE_AUTHORITY = "reading"
#: Reading's signatories in the demo (made-up names).
REMOTE_NAMES = {
    "dcs": "Priya Shah",
    "lead-member": "Cllr Tom Hale",
    "chief-executive": "Ruth Okafor",
}


def run_demo(
    target: Path,
    say: Callable[[str], None],
    *,
    when: datetime,
    now: datetime,
    jobs: int = 1,
    command: str = "mougen",
) -> Workspace:
    """Run the demonstration round in the new workspace ``target``, reporting through ``say``.

    ``when`` is the date the packs, the dashboard and the review calendar are made as of;
    ``now`` the time the CA, the certificates and the signatures are made at;
    ``command`` is how the hints tell the reader to run mougen.
    """
    ws = init_workspace(target)
    target = ws.root  # resolved, so archive paths can be shown relative to it
    packs = target / "packs"
    for mou_id, entry in sorted(ws.catalog.entries.items()):
        results = build_packs(ws, mou_id, entry.mou.parties, packs / mou_id, when, jobs=jobs)
        record_issued(ws, results, when)
        say(f"packed   {mou_id}: {len(results)} authorities -> {packs / mou_id}")
    returned, passphrase, emailed = _sign_round(ws, packs / SIGNING_MOU, target / "inbox", now)
    say(
        f"ca       the South East CA's passphrase is in {passphrase} (the demo's only): "
        f"{command} -w {target} ca issue --passphrase-file {passphrase} ..."
    )
    with Tracker.open(ws.db_url) as tracker:
        _returned_by_email(ws, tracker, emailed, when, say, command)
        [outcome] = collect_inbox(ws, returned.parent, tracker)
        if outcome.archived is None:
            raise MougenError(f"the demonstration's signed MoU was rejected: {outcome.reason}")
        say(f"collected {returned.name} -> {outcome.archived.relative_to(target)}")
        report = verify_file(outcome.archived, workspace_trust_roots(ws))
        verdict = "fully executed" if report.fully_executed else "NOT fully executed"
        say(f"verified {', '.join(s.signer or '?' for s in report.signatures)}: {verdict}")
        html = dashboard_html(ws, tracker, None, when.date(), when)
    (target / "dashboard.html").write_text(html, encoding="utf-8")
    say(f"report   {target / 'dashboard.html'}")
    _round_online(ws, say, command)
    edit_authority(ws.regions_dir / "south-east.yaml", REMOTE_AUTHORITY, _remote_signatories)
    sign_remotely(Workspace(ws.root), SIGNING_MOU, REMOTE_AUTHORITY, passphrase, now, say)
    due = [r.mou for r in reviews(ws, when.date()) if r.due]
    say(f"reviews  due now: {', '.join(due) or 'none'}")
    redline = target / "redlines" / "se-2018--se-2019-20.docx"
    old, new = (load_version(ws, spec, when=when) for spec in ("se-2018", "se-2019-20"))
    summary = write_redline(old, new, redline, when=when)
    write_redline(old, new, redline.with_suffix(".pdf"), when=when)
    say(
        f"redline  {redline} (+ .pdf): {summary.insertions} insertions, "
        f"{summary.deletions} deletions, {summary.moves} moves"
    )
    return ws


def _round_online(ws: Workspace, say: Callable[[str], None], command: str) -> None:
    """Give one authority's signatories example addresses and invite its first signatory,
    so ``mougen serve`` shows the round in progress (mail goes to ``outbox/``)."""
    edit_authority(ws.regions_dir / "south-east.yaml", ONLINE_AUTHORITY, _example_addresses)
    ws = Workspace(ws.root)  # the catalog as edited
    with Tracker.open(ws.db_url) as tracker:
        done = SigningRound(ws, tracker).invite(
            SIGNING_MOU, [ONLINE_AUTHORITY], Actor("mougen demo", None)
        )
    for sent in done.sent:
        say(f"invited  {sent.authority}'s {sent.role} <{sent.email}> (email in outbox/)")
    say(
        f"web      {command} -w {ws.root} users add NAME --admin, then {command} -w {ws.root} serve"
    )


def _example_addresses(
    authority: CommentedMap, names: dict[str, str] | None = None, **more: str
) -> None:
    """Each role of ``authority`` with an example address (and a name from ``names``, and
    ``more``), one flow-style line each."""
    signatories = CommentedMap()
    for role in ROLE_IDS:
        named = {"name": names[role]} if names else {}
        address = CommentedMap(**named, email=f"{role}.{authority['slug']}@example.org", **more)
        address.fa.set_flow_style()
        signatories[role] = address
    authority["signatories"] = signatories


def _remote_signatories(authority: CommentedMap) -> None:
    """Example addresses, each signatory signing remotely."""
    _example_addresses(authority, REMOTE_NAMES, signs="remote")


def _returned_by_email(
    ws: Workspace,
    tracker: Tracker,
    signed: bytes,
    when: datetime,
    say: Callable[[str], None],
    command: str,
) -> None:
    """The lead member replies by email with the file they signed: the reply is saved in
    ``mail/`` and collected as ``collect --mailbox`` collects a message, answer and all."""
    lead = ws.catalog.mou(SIGNING_MOU).party(SIGNING_AUTHORITY).signatories.for_role(EMAILED)
    message = EmailMessage()
    message["From"] = formataddr((lead.name or "", str(lead.email or "lead@example.org")))
    message["Subject"] = f"Re: Please sign: {SIGNING_MOU}"
    message["Message-ID"] = make_msgid(domain="example.org")
    message["Date"] = format_datetime(when)
    message.set_content("Signed, attached.")
    name = f"{SIGNING_MOU}--{SIGNING_AUTHORITY}--signed.pdf"
    message.add_attachment(signed, maintype="application", subtype="pdf", filename=name)
    folder = ws.root / "mail"
    atomic.write_bytes(folder / "reply.eml", message.as_bytes())
    checker = Checker(workspace_spec(ws, tracker))
    mailer = replies_mailer(ws.root, tracker.clock)
    [got] = collect_waiting(ws, EmlFolder(folder), tracker, checker, mailer)
    if not got.accepted:
        raise MougenError(f"the demonstration's emailed file was rejected: {got.files}")
    say(f"emailed  {got.sender} replied with {name} -> {got.folder} (mail/), answered in outbox/")
    say(
        "mailbox  to collect from a real IMAP mailbox: add an [imap] table to web.toml (see"
        f" README), then {command} -w {ws.root} collect --mailbox [--watch]"
    )


def _sign_round(ws: Workspace, packs: Path, inbox: Path, now: datetime) -> tuple[Path, Path, bytes]:
    """Make a CA, issue the three signatories' certificates, and sign in order into ``inbox``.

    Returns the signed file; the file holding the CA key's passphrase (readable by its
    owner only), so the demo's CA can issue more certificates afterwards; and the file the
    second signatory returns by email.
    """
    region = ws.catalog.mou(SIGNING_MOU).region.id
    ca_pass = secrets.token_urlsafe(24).encode()
    passphrase = ws.root / "demo-secrets" / f"{region}-ca-passphrase"
    passphrase.parent.mkdir(mode=0o700)
    passphrase.touch(mode=0o600)
    passphrase.write_bytes(ca_pass + b"\n")
    init_ca(ws, region, ca_pass, now)
    ca = load_ca(ws, region, ca_pass)
    pdf = packs / f"{SIGNING_MOU}--{SIGNING_AUTHORITY}" / f"{SIGNING_MOU}--{SIGNING_AUTHORITY}.pdf"
    with tempfile.TemporaryDirectory() as keys:
        for step, role in enumerate(ROLE_IDS, start=1):
            _, who = configured_signatory(ws, SIGNING_AUTHORITY, role)
            p12, p12_pass = Path(keys) / f"{role}.p12", secrets.token_urlsafe(24).encode()
            write_pkcs12(issue_certificate(ca, who, when=now), p12, p12_pass)
            out = (inbox / "returned.pdf") if step == len(ROLE_IDS) else Path(keys) / f"{step}.pdf"
            sign_pdf(pdf, role, load_pkcs12(p12, p12_pass), out, when=now)
            pdf = out
            if role == EMAILED:
                emailed = out.read_bytes()
    return pdf, passphrase, emailed

"""The signing round: issue, invite the first signatory, pass the signed file along in
order, and announce completion. The web pages and the CLI both drive it.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import timedelta
from email.message import EmailMessage
from pathlib import Path

from mougen.collect import Accepted
from mougen.collect.checks import Rejection
from mougen.collect.mailbox import configured
from mougen.digest import sha256_hex
from mougen.errors import ConfigError, MougenError
from mougen.mail import Mailer, SmtpSettings, outbox_dir
from mougen.mail.settings import DEFAULT_SENDER
from mougen.pack import build_pack
from mougen.pack.builder import pack_name
from mougen.pack.issued import record_issued
from mougen.pki.revocation import revoked_certificates
from mougen.remote.claims import Claims
from mougen.reports.status import StatusRow, status
from mougen.round import emails, queue
from mougen.round.acceptance import accept
from mougen.round.certificate import certificate_pdf
from mougen.round.documents import document_path, keep_issued_pdf, packs_dir
from mougen.round.intake import check_upload
from mougen.round.records import Actor, Link, NewEmail, NewUpload, Queued
from mougen.round.settings import WebSettings, load_settings, load_smtp
from mougen.round.store import RoundStore
from mougen.round.tokens import new_token
from mougen.tracker import Tracker
from mougen.tracker.records import SignatureRecord
from mougen.tracker.versions import catalog_versions
from mougen.verify.sandbox import Sandbox
from mougen.workflow.checking import Checker, workspace_spec
from mougen.workspace import Workspace


@dataclass(frozen=True)
class AuthorityState:
    """Where one authority is in the round: the file to sign next, and whose turn it is."""

    mou: str
    authority: str
    document_sha256: str | None
    signed: tuple[str, ...]
    next_role: str | None

    @property
    def complete(self) -> bool:
        return self.document_sha256 is not None and self.next_role is None


@dataclass(frozen=True)
class Sent:
    """An invitation or reminder sent: to whom, for what."""

    mou: str
    authority: str
    role: str
    email: str


@dataclass(frozen=True)
class Invitations:
    """What ``invite`` did: the links sent, and the authorities it could not invite."""

    sent: tuple[Sent, ...]
    skipped: tuple[str, ...]


def _smtp(ws: Workspace, settings: WebSettings) -> SmtpSettings:
    """The mail settings; with no sender set, mail comes from the coordinator's address
    (where replies should go) rather than ``mougen@localhost``."""
    smtp = load_smtp(ws.root)
    if smtp.sender == DEFAULT_SENDER and settings.coordinator_email:
        return replace(smtp, sender=f"Sector-led improvement MoUs <{settings.coordinator_email}>")
    return smtp


class SigningRound:
    """The round's operations over one workspace and its tracker."""

    def __init__(self, ws: Workspace, tracker: Tracker, settings: WebSettings | None = None):
        self.ws = ws
        self.tracker = tracker
        self.store = RoundStore(tracker)
        self.settings = settings or load_settings(ws.root)
        self.mailer = Mailer(_smtp(ws, self.settings), outbox_dir(ws.root), tracker.clock)

    def checker(self) -> Checker:
        """The checker for this workspace's files, in the sandbox ``web.toml`` sets; built
        afresh each time, so a CRL published since (``ca revoke``) counts at once."""
        limits = Sandbox(self.settings.verify_seconds, self.settings.verify_memory_mb)
        return Checker(workspace_spec(self.ws, self.tracker, sandbox=limits))

    def status(self, mou: str | None = None) -> list[StatusRow]:
        """Who has signed each version (``mou`` only, if given), as ``mougen status`` says."""
        ws = self.ws
        revoked = revoked_certificates(ws)
        return status(ws.catalog, self.tracker, mou, archive_root=ws.root, revoked=revoked)

    # -- state -----------------------------------------------------------------------------

    def state(self, mou: str, slug: str) -> AuthorityState:
        """The authority's current document and the next role to sign it.

        Each signature is recorded once, with the file it first arrived in; of each role's
        first signature, the newest arrival is the file that carries every signature so far.
        """
        first: dict[str, SignatureRecord] = {}
        for sig in sorted(self.tracker.signatures(mou), key=lambda s: s.recorded_at):
            if sig.authority == slug:
                first.setdefault(sig.role, sig)
        document: str | None
        if first:
            # A role signed again later (before links closed) never moves the document on.
            newest = max(first.values(), key=lambda s: s.recorded_at)
            document, signed = newest.file_sha256, tuple(first)
        else:
            document, signed = self._issued_sha(mou, slug), ()
        pending = [r for r in self.settings.signing_order if r not in signed]
        return AuthorityState(mou, slug, document, signed, pending[0] if pending else None)

    def _issued_sha(self, mou: str, slug: str) -> str | None:
        """The newest issued PDF of the authority that the service has a copy of (taking one
        from its pack folder if ``pack`` or the demo built it there)."""
        for issue in reversed(self.tracker.issues(mou)):
            if issue.authority != slug:
                continue
            if document_path(self.ws, mou, slug, issue.pdf_sha256):
                return issue.pdf_sha256
            name = pack_name(mou, slug)
            packed = packs_dir(self.ws, mou) / name / f"{name}.pdf"
            if packed.is_file():
                data = packed.read_bytes()
                if sha256_hex(data) == issue.pdf_sha256:
                    keep_issued_pdf(self.ws, mou, slug, issue.pdf_sha256, data)
                    return issue.pdf_sha256
        return None

    # -- invitations -----------------------------------------------------------------------

    def invite(
        self, mou: str, slugs: list[str], actor: Actor, *, resend: bool = False
    ) -> Invitations:
        """Email each authority's signatory whose turn it is a link, issuing the PDF first if
        need be; with ``resend``, a fresh link replaces one already sent. Authorities whose
        next signatory has no email in config are skipped, and named."""
        entry = self.ws.catalog.mou(mou)
        slugs = slugs or list(entry.mou.parties)
        for slug in slugs:
            entry.party(slug)  # an unknown party fails before anything is sent
        self.tracker.sync_versions(catalog_versions(self.ws.catalog, self.ws.templates_dir))
        sent, skipped = [], []
        for slug in slugs:
            state = self.state(mou, slug)
            role_id = state.next_role  # issuing below signs nothing, so it stays next
            if role_id is None:
                continue
            if not self._next_email(state):
                skipped.append(f"{slug} (no email for its {role_id})")
                continue
            if state.document_sha256 is None:
                self._issue(mou, slug, actor)
                state = self.state(mou, slug)
            if not resend and self._open_link(mou, slug, role_id):
                continue
            sent.append(self._send_link(state, actor))
        return Invitations(tuple(sent), tuple(skipped))

    def _issue(self, mou: str, slug: str, actor: Actor) -> None:
        when = self.tracker.now().replace(microsecond=0)
        return_by = self.store.round(mou).return_by
        result = build_pack(self.ws, mou, slug, packs_dir(self.ws, mou), when, return_by=return_by)
        record_issued(self.ws, [result], when)
        pdf = (result.folder / f"{pack_name(mou, slug)}.pdf").read_bytes()
        keep_issued_pdf(self.ws, mou, slug, result.pdf_sha256, pdf)
        self.store.log("pack-issued", f"{mou}/{slug}", actor, pdf_sha256=result.pdf_sha256)

    def _open_link(self, mou: str, slug: str, role_id: str) -> Link | None:
        now = self.tracker.now()
        open_links = [
            link
            for link in self.store.links(mou, slug)
            if link.role == role_id and link.usable(now)
        ]
        return open_links[-1] if open_links else None

    def _send_link(self, state: AuthorityState, actor: Actor, *, reminder: bool = False) -> Sent:
        entry = self.ws.catalog.mou(state.mou)
        role_id, document = state.next_role, state.document_sha256
        # Callers send a link only for an issued PDF with a role next to sign it.
        assert role_id is not None and document is not None
        email = self._next_email(state)
        if not email:
            raise ConfigError(
                f"{state.authority}: signatories.{role_id}.email is not set; add it to send "
                "an invitation",
                entry.source,
            )
        token, now = new_token(), self.tracker.now()
        expires = now + timedelta(days=self.settings.link_days)
        # The email is built before the link exists: a link nobody can be sent is never made.
        message = emails.invitation(
            entry,
            state.authority,
            role_id,
            email,
            f"{self.settings.base_url}/sign/{token}",
            expires,
            self.store.round(state.mou).return_by,
            reminder=reminder,
        )
        collection = configured(self.ws.root)  # collect --mailbox's [imap] table
        if collection is not None and collection.reply_to:
            message["Reply-To"] = collection.reply_to  # so a reply with the file just works
        self.store.new_link(
            token, state.mou, state.authority, role_id, document, email, (now, expires), actor
        )
        kind = "reminder" if reminder else "invitation"
        self.send(message, kind, state.mou, state.authority, actor)
        return Sent(state.mou, state.authority, role_id, email)

    # -- reminders -------------------------------------------------------------------------

    def remind(self, mou: str | None, after: timedelta, actor: Actor) -> list[Sent]:
        """Send what the queue still owes, then invite whoever's turn it is in each started
        authority (one with a link or a signature) if they hold no open link, and remind each
        whose link has waited ``after``. A reminder carries a fresh link (only hashes are
        kept, so the old one cannot be resent)."""
        now = self.tracker.now()
        sent = self.send_queued(actor)
        for mou_id in [mou] if mou else sorted(self.ws.catalog.entries):
            self.ws.catalog.mou(mou_id)
            for slug in self._started(mou_id):
                state = self.state(mou_id, slug)
                if state.next_role is None or not self._next_email(state):
                    continue
                link = self._open_link(mou_id, slug, state.next_role)
                if link is None:
                    sent.append(self._send_link(state, actor))
                elif link.created_at <= now - after:
                    sent.append(self._send_link(state, actor, reminder=True))
        return sent

    def _started(self, mou: str) -> list[str]:
        """The authorities of a round that have had a link or have a signature recorded."""
        linked = [link.authority for link in self.store.links(mou)]
        signed = [s.authority for s in self.tracker.signatures(mou)]
        return list(dict.fromkeys(linked + signed))

    # -- uploads ---------------------------------------------------------------------------

    def receive(
        self, data: bytes, actor: Actor, link: Link | None = None, mou: str | None = None
    ) -> Accepted:
        """Check an upload (against ``link``'s turn, if from a signatory; to round ``mou``, if
        from the coordinator), then file, record and pass the round on in one transaction
        (:func:`~mougen.round.acceptance.accept`) and send what it queued; raises
        :class:`Rejection` (recorded, changing nothing else)."""
        sha = sha256_hex(data)
        try:
            checked = check_upload(data, self.checker(), self.settings)
            if link is not None:
                self._fits_link(checked, link)
            if mou is not None and checked.mou != mou:
                raise Rejection(f"this file is a {checked.mou} document, not one of this round's")
            order = self.settings.signing_order
            accept(self.ws, self.tracker, checked, order, actor, link.id if link else None)
        except Rejection as exc:
            self.store.record_upload(
                NewUpload(
                    mou=link.mou if link else mou,
                    authority=link.authority if link else None,
                    role=link.role if link else None,
                    file_sha256=sha,
                    accepted=False,
                    reason=exc.detail,
                ),
                actor,
            )
            raise
        self.store.record_upload(
            NewUpload(
                mou=checked.mou,
                authority=checked.authority,
                role=link.role if link else ",".join(checked.roles),
                file_sha256=sha,
                accepted=True,
                reason=None,
            ),
            actor,
        )
        self.send_queued(actor, checked)
        return checked

    def _fits_link(self, checked: Accepted, link: Link) -> None:
        if (checked.mou, checked.authority) != (link.mou, link.authority):
            raise Rejection("this file is not the document your link is for")
        order = self.settings.signing_order
        due = order[: order.index(link.role) + 1]
        missing = [r for r in due if r not in checked.roles]
        if missing:
            raise Rejection(
                "the file is not signed in the " + " and ".join(missing) + " field: "
                "sign the field for your role and upload the signed file"
            )
        extra = [r for r in checked.roles if r not in due]
        if extra:
            raise Rejection("the file is signed out of turn (" + ", ".join(extra) + ")")

    def send_queued(self, actor: Actor, checked: Accepted | None = None) -> list[Sent]:
        """Send the emails the round owes (see :mod:`mougen.round.queue`): invitations still
        due and completions (``checked``: a file this request has just accepted, which a
        completion certificate need not check again). A failure is logged for the
        coordinator and left queued for the next try (the next upload, or ``remind``),
        never undoing an accepted upload."""
        sent = []
        for item in queue.claim(self.tracker):
            subject = f"{item.mou}/{item.authority}"
            try:
                done = self._deliver(item, actor, checked)
            except MougenError as exc:
                self.store.log("email-failed", subject, actor, reason=exc.detail)
                queue.finish(self.tracker, item, error=exc.detail)
                continue
            queue.finish(self.tracker, item)
            sent.extend(done)
        return sent

    def _deliver(self, item: Queued, actor: Actor, checked: Accepted | None) -> list[Sent]:
        state = self.state(item.mou, item.authority)
        if item.kind == "completion":
            self._complete(state, actor, checked)
            return []
        due = state.next_role == item.role and self._next_email(state)
        if not due or self._open_link(item.mou, item.authority, state.next_role or ""):
            return []  # no longer due: someone else's turn, no email, or a link is out
        return [self._send_link(state, actor)]

    def offer(self, mou: str, slug: str, invited: bool) -> str | None:
        """What the round grid may offer for an authority: ``Send invitation`` (never
        invited), ``Send new link`` (invited before), or None (nothing to sign now, or no
        email configured for whoever is next)."""
        state = self.state(mou, slug)
        if not self._next_email(state):
            return None
        return "Send new link" if invited else "Send invitation"

    def _next_email(self, state: AuthorityState) -> str | None:
        if state.next_role is None:
            return None
        party = self.ws.catalog.mou(state.mou).party(state.authority)
        return party.signatories.for_role(state.next_role).email

    # -- completion ------------------------------------------------------------------------

    def executed_path(self, mou: str, slug: str) -> Path | None:
        """The fully executed PDF, once the authority has completed (and while it is kept)."""
        state = self.state(mou, slug)
        if state.document_sha256 is None or not state.complete:
            return None
        return document_path(self.ws, mou, slug, state.document_sha256)

    def executed(
        self, mou: str, slug: str, checked: Accepted | None = None
    ) -> tuple[Path, bytes] | None:
        """The fully executed PDF and its certificate, once the authority has completed
        (judged afresh, unless it is the very file ``checked`` this request has accepted)."""
        path = self.executed_path(mou, slug)
        if path is None:
            return None
        checker = self.checker()
        data = path.read_bytes()
        if checked is not None and checked.data == data:
            report = checked.report
        else:
            verdict = checker.check_bytes(data, path.name)
            if verdict.report is None:
                raise MougenError(verdict.error or "unreadable", path)
            report = verdict.report
        entry = self.ws.catalog.mou(mou)
        issued = report.first_revision_sha256 or ""
        roots = checker.spec.settings.trust_roots
        made = [s.signature_sha256 for s in report.signatures if s.signature_sha256]
        released = {sha: r.describe() for sha, r in Claims(self.tracker).releases(made).items()}
        return path, certificate_pdf(
            entry, slug, report, issued, roots, self.tracker.now(), released=released
        )

    def _complete(self, state: AuthorityState, actor: Actor, checked: Accepted | None) -> None:
        announced = any(
            (e.kind, e.mou, e.authority) == ("completion", state.mou, state.authority)
            for e in self.store.emails()
        )
        done = None if announced else self.executed(state.mou, state.authority, checked)
        if done is None:
            return
        path, certificate = done
        entry = self.ws.catalog.mou(state.mou)
        signatories = entry.party(state.authority).signatories
        recipients = [signatories.for_role(r).email for r in self.settings.signing_order]
        recipients.append(self.settings.coordinator_email)
        name = f"{pack_name(state.mou, state.authority)}--executed.pdf"
        data = path.read_bytes()
        for to in dict.fromkeys(r for r in recipients if r):
            message = emails.completion(entry, state.authority, to, data, name, certificate)
            self.send(message, "completion", state.mou, state.authority, actor)

    def send(self, message: EmailMessage, kind: str, mou: str, slug: str, actor: Actor) -> None:
        """Send an email of the round and record it (recipient and subject, never the body)."""
        via = self.mailer.send(message)
        sent = NewEmail(str(message["To"]), str(message["Subject"]), kind, mou, slug, via)
        self.store.record_email(sent, actor)

"""Remote signing in the round: a signatory set up for it asks for a code, which is emailed
to the address in the region file; the right code releases one signature of their field,
made with their programme key in the server's token, and accepted exactly like an upload.

Everything starts from the signatory's own link: nothing here takes a coordinator.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from functools import partial

from mougen.config.models import signing_method
from mougen.errors import MougenError
from mougen.hsm import TokenSettings
from mougen.pki.binding import ProgrammeBinding
from mougen.remote.claims import Claim, Claims
from mougen.remote.codes import ActivationCodes, Client, CodeBinding, Confirmation
from mougen.remote.release import Signed, release, resume
from mougen.remote.sign import held_credential, signed_in_token
from mougen.roles import role
from mougen.round import emails
from mougen.round.documents import document_path
from mougen.round.records import Actor, Link
from mougen.round.signing_round import SigningRound
from mougen.round.tokens import token_hash
from mougen.signing import issued_to
from mougen.workspace import Workspace


class RemoteRefused(MougenError):
    """What the signatory's page says when it cannot offer remote signing now."""


@dataclass(frozen=True)
class RemoteField:
    """What a signatory signs remotely: the document (by hash), their field, the level."""

    link: Link
    binding: CodeBinding
    programme: ProgrammeBinding
    council: str
    role_title: str
    level: str  # B-T with the region's timestamp server, else B-B

    @property
    def statement(self) -> str:
        """``You are signing as Chief Executive of Kent County Council``."""
        return f"You are signing as {self.role_title} of {self.council}"


class RemoteSigning:
    """The remote-signing steps of a signatory's page, over the round's tracker."""

    def __init__(self, signing_round: SigningRound, token: TokenSettings | None):
        self.round = signing_round
        self.token = token
        self.codes = ActivationCodes(signing_round.tracker)
        self.claims = Claims(signing_round.tracker)

    def field(self, link_token: str) -> RemoteField:
        """What the link's holder may sign remotely now; ``RemoteRefused`` says why not."""
        link = self.round.store.find_link(link_token)
        if link is None:
            raise RemoteRefused("this link is not valid")
        ws = self.round.ws
        entry = ws.catalog.mou(link.mou)
        party = entry.party(link.authority)
        if signing_method(entry.region, party, link.role) != "remote" or self.token is None:
            raise RemoteRefused("this signatory signs with their own certificate")
        state = self.round.state(link.mou, link.authority)
        if (state.next_role, state.document_sha256) != (link.role, link.document_sha256):
            raise RemoteRefused("this link is not for the document now waiting to be signed")
        programme = ProgrammeBinding(entry.region.id, link.authority, link.role)
        # Refused if revoked, expired or never issued.
        held_credential(ws, programme, self.round.tracker.now())
        subject = f"{link.mou}/{link.authority}"
        binding = CodeBinding(token_hash(link_token), link.document_sha256, link.role, subject)
        level = "B-T" if entry.region.tsa_url else "B-B"
        title = role(link.role).title
        return RemoteField(link, binding, programme, party.council, title, level)

    def request_code(self, link_token: str, client: Client) -> datetime:
        """Email a new code to the signatory's configured address; when it expires."""
        field = self.field(link_token)
        link = field.link
        new = self.codes.request(field.binding, link.email, client)
        entry = self.round.ws.catalog.mou(link.mou)
        message = emails.activation_code(
            entry, link.authority, link.role, link.email, new.code, new.expires_at
        )
        self.round.send(message, "activation-code", link.mou, link.authority, _actor(link, client))
        return new.expires_at

    def confirm(self, link_token: str, code: str, client: Client) -> Confirmation:
        """Check ``code``; when it is right, sign the field in the token and accept the file."""
        field = self.field(link_token)
        sign, file = self._steps(field, client)
        return release(self.codes, self.claims, field.binding, code, client, sign, file)

    def resume(self, link_token: str, client: Client) -> Claim | None:
        """Finish an accepted signature that a killed worker left unfiled."""
        field = self.field(link_token)
        return resume(self.claims, field.binding, *self._steps(field, client))

    def _steps(
        self, field: RemoteField, client: Client
    ) -> tuple[Callable[[], Signed], Callable[[bytes], None]]:
        link, ws, token = field.link, self.round.ws, self.token
        assert token is not None  # field() refuses without a token

        def sign() -> Signed:
            document = _document(ws, link)
            owner_of = partial(issued_to, ws, self.round.tracker)
            now = self.round.tracker.now()
            return signed_in_token(
                ws, document, field.programme, token, when=now, owner_of=owner_of
            )

        def file(pdf: bytes) -> None:
            self.round.receive(pdf, _actor(link, client), link)

        return sign, file


def _document(ws: Workspace, link: Link) -> bytes:
    path = document_path(ws, link.mou, link.authority, link.document_sha256)
    if path is None:
        raise RemoteRefused("the document to sign is no longer kept by the service")
    return path.read_bytes()


def _actor(link: Link, client: Client) -> Actor:
    return Actor(f"signatory:{link.mou}/{link.authority}/{link.role}", client.address)

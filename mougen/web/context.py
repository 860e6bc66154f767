"""What a view needs from the running application: the round service, who is acting, and
the page's content security policy. Views import this module, never ``app.py``, so the
application and its views do not import each other."""

from __future__ import annotations

from datetime import datetime

from flask import current_app, g, request

from mougen.remote.codes import Client
from mougen.round.records import Actor
from mougen.round.remote import RemoteSigning
from mougen.round.signing_round import SigningRound

#: No script at all, nothing from elsewhere, and no framing by other sites.
CSP = (
    "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; "
    "frame-ancestors 'none'; base-uri 'none'; object-src 'none'"
)

#: The keys under which the application keeps its round service and its remote signing.
EXTENSION = "mougen"
REMOTE = "mougen.remote"


def signing_round() -> SigningRound:
    """The round service of the running application."""
    return current_app.extensions[EXTENSION]


def now() -> datetime:
    """The time now, on the running application's one clock (see ``create_app``)."""
    return signing_round().tracker.now()


def actor(who: str | None = None) -> Actor:
    """The person acting in this request, and the address they came from."""
    return Actor(who or g.get("user") or "anonymous", request.remote_addr)


def remote_signing() -> RemoteSigning:
    """The remote signing of the running application's round."""
    return current_app.extensions[REMOTE]


def client() -> Client:
    """The address and browser of this request, as the audit log records them."""
    return Client(request.remote_addr, (request.user_agent.string or "")[:200] or None)

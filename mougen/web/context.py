"""What a view needs from the running application: the round service, who is acting, and
the page's content security policy. Views import this module, never ``app.py``, so the
application and its views do not import each other."""

from __future__ import annotations

from flask import current_app, g, request

from mougen.round.records import Actor
from mougen.round.signing_round import SigningRound

#: No script at all, nothing from elsewhere, and no framing by other sites.
CSP = (
    "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; "
    "frame-ancestors 'none'; base-uri 'none'; object-src 'none'"
)

#: The key under which the application keeps its round service.
EXTENSION = "mougen"


def signing_round() -> SigningRound:
    """The round service of the running application."""
    return current_app.extensions[EXTENSION]


def actor(who: str | None = None) -> Actor:
    """The person acting in this request, and the address they came from."""
    return Actor(who or g.get("user") or "anonymous", request.remote_addr)

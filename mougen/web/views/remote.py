"""Remote signing on the signatory's page: read the MoU, confirm, get a code by email, enter
it, and the service signs their field with the programme key it holds for them.

Every route starts from the signatory's own link; none needs or accepts a coordinator.
"""

from __future__ import annotations

from datetime import datetime
from io import BytesIO

from flask import Blueprint, Response, abort, make_response, render_template, send_file
from flask.typing import ResponseReturnValue
from flask_wtf import FlaskForm

from mougen.errors import MougenError
from mougen.remote.codes import Outcome, TooManyRequests
from mougen.round.mou_page import issued_page
from mougen.round.remote import RemoteField, RemoteRefused
from mougen.round.tokens import token_hash
from mougen.web.context import CSP, client, remote_signing, signing_round
from mougen.web.forms import CodeForm, CodeRequestForm
from mougen.web.pool import BUSY, BUSY_RETRY_SECONDS, checking
from mougen.web.slots import Busy

bp = Blueprint("remote", __name__)

#: What the page says for each refused code (the same words for unknown, expired and used).
_REFUSALS = {
    Outcome.WRONG: "That is not the code we sent. You have {left} more tries.",
    Outcome.LOCKED: "That code is locked after too many wrong tries. Ask for a new code.",
    Outcome.REFUSED: "That code cannot be used: it is wrong, used or out of date. "
    "Ask for a new code.",
}


def _field(token: str) -> RemoteField:
    """What this link signs remotely; anything else is the same 404 as an unknown link."""
    try:
        return remote_signing().field(token)
    except MougenError:
        abort(404)


@bp.get("/sign/<token>/remote")
def page(token: str) -> ResponseReturnValue:
    return _page(token, _field(token), CodeRequestForm())


@bp.post("/sign/<token>/remote/code")
def request_code(token: str) -> ResponseReturnValue:
    field = _field(token)
    form = CodeRequestForm()
    if not form.validate_on_submit():
        return _page(token, field, form, status=400)
    try:
        expires = remote_signing().request_code(token, client())
    except TooManyRequests as exc:
        return _page(token, field, form, problem=exc.detail, status=429)
    return _code_page(token, field, CodeForm(formdata=None), expires=expires)


@bp.post("/sign/<token>/remote/confirm")
def confirm(token: str) -> ResponseReturnValue:
    field = _field(token)
    form = CodeForm()
    if not form.validate_on_submit():
        return _code_page(token, field, form, status=400)
    try:
        # Signing ends in checking the signed file, like any upload on a link.
        with checking(signing_round(), reserved=True):
            result = remote_signing().confirm(token, str(form.code.data), client())
    except RemoteRefused:
        abort(404)
    except Busy:
        busy = _code_page(token, field, form, problem=BUSY, status=503)
        busy.headers["Retry-After"] = str(BUSY_RETRY_SECONDS)
        return busy
    if result.outcome is not Outcome.ACCEPTED:
        problem = _REFUSALS[result.outcome].format(left=result.attempts_left)
        return _code_page(token, field, form, problem=problem, status=422)
    page = render_template("remote_done.html", token=token, field=field)
    return make_response(page, 200, {"Content-Security-Policy": CSP})


@bp.get("/sign/<token>/remote/signed.pdf")
def signed(token: str) -> ResponseReturnValue:
    """The PDF the service signed for this link (the link itself is closed by then)."""
    pdf = remote_signing().claims.signed_pdf(token_hash(token))
    if pdf is None:
        abort(404)
    return send_file(BytesIO(pdf), mimetype="application/pdf", download_name="signed.pdf")


def _page(
    token: str,
    field: RemoteField,
    form: FlaskForm,
    problem: str | None = None,
    status: int = 200,
) -> Response:
    link = field.link
    page = render_template(
        "remote.html",
        token=token,
        field=field,
        form=form,
        problem=problem,
        entry=signing_round().ws.catalog.mou(link.mou),
        mou=issued_page(signing_round().ws, link.mou, link.authority),
    )
    return make_response(page, status, {"Content-Security-Policy": CSP})


def _code_page(
    token: str,
    field: RemoteField,
    form: FlaskForm,
    *,
    expires: datetime | None = None,
    problem: str | None = None,
    status: int = 200,
) -> Response:
    page = render_template(
        "remote_code.html", token=token, field=field, form=form, expires=expires, problem=problem
    )
    return make_response(page, status, {"Content-Security-Policy": CSP})

"""The signatory's page behind their personal link: the document, how to sign, the upload."""

from __future__ import annotations

from flask import Blueprint, Response, abort, make_response, render_template, request, send_file
from flask.typing import ResponseReturnValue

from mougen.collect.checks import Rejection
from mougen.config.catalog import MouEntry
from mougen.errors import MougenError
from mougen.roles import role
from mougen.round.documents import document_path
from mougen.round.records import Link
from mougen.web.context import CSP, actor, remote_signing, signing_round
from mougen.web.forms import UploadForm
from mougen.web.pool import BUSY, BUSY_RETRY_SECONDS, RATE_RETRY_SECONDS, TOO_MANY, checking
from mougen.web.slots import Busy
from mougen.web.views.uploads import uploaded_bytes

bp = Blueprint("signatory", __name__)


def _link(token: str) -> Link:
    """The link for ``token``; an unknown, expired, revoked or used one is the same 404."""
    link = signing_round().store.find_link(token)
    if link is None:
        abort(404)
    return link


def _who(link: Link) -> str:
    return f"signatory:{link.mou}/{link.authority}/{link.role}"


@bp.get("/sign/<token>")
def page(token: str) -> ResponseReturnValue:
    link = _link(token)
    return _render(token, link, UploadForm())


@bp.get("/sign/<token>/document.pdf")
def document(token: str) -> ResponseReturnValue:
    link = _link(token)
    path = document_path(signing_round().ws, link.mou, link.authority, link.document_sha256)
    if path is None:
        abort(404)
    signing_round().store.log("document-viewed", f"{link.mou}/{link.authority}", actor(_who(link)))
    name = f"{link.mou}--{link.authority}--for-{link.role}.pdf"
    response = send_file(path, mimetype="application/pdf", download_name=name)
    # The signatory's own page shows it in a frame; no other site may.
    response.headers["Content-Security-Policy"] = "frame-ancestors 'self'"
    response.headers["X-Frame-Options"] = "SAMEORIGIN"
    return response


@bp.post("/sign/<token>")
def upload(token: str) -> ResponseReturnValue:
    link = _link(token)
    form = UploadForm()
    if not form.validate_on_submit():
        return _render(token, link, form, status=400)
    service = signing_round()
    if not service.store.allow("upload", request.remote_addr, service.settings.verify_per_address):
        return _refused(token, link, form, TOO_MANY, 429, RATE_RETRY_SECONDS)
    try:
        data = uploaded_bytes(form, service.settings.upload_limit)
        with checking(service, reserved=True):
            service.receive(data, actor(_who(link)), link)
    except Busy:
        return _refused(token, link, form, BUSY, 503, BUSY_RETRY_SECONDS)
    except Rejection as exc:
        return _render(token, link, form, rejected=_for_signatory(str(exc), link), status=422)
    return render_template("signed.html", link=link, role=role(link.role), entry=_entry(link))


def _refused(
    token: str, link: Link, form: UploadForm, why: str, status: int, retry_after: int
) -> Response:
    page = _render(token, link, form, rejected=why, status=status)
    page.headers["Retry-After"] = str(retry_after)
    return page


def _for_signatory(reason: str, link: Link) -> str:
    """The reason an upload was refused, as the signatory needs it: what to do next."""
    if reason.startswith("no signatures"):
        return (
            "The file you uploaded has not been signed. Open the document from this page, "
            f"sign it in the {role(link.role).title} signature box, save it, and upload the "
            "saved file."
        )
    sentence = reason[:1].upper() + reason[1:]
    return sentence if sentence.endswith(".") else sentence + "."


def _signs_remotely(token: str) -> bool:
    """Whether this link's signatory may sign here with the key the service holds for them."""
    try:
        remote_signing().field(token)
    except MougenError:
        return False
    return True


def _entry(link: Link) -> MouEntry:
    return signing_round().ws.catalog.mou(link.mou)


def _render(
    token: str, link: Link, form: UploadForm, rejected: str | None = None, status: int = 200
) -> Response:
    entry = _entry(link)
    page = render_template(
        "sign.html",
        token=token,
        link=link,
        form=form,
        rejected=rejected,
        entry=entry,
        authority=entry.party(link.authority),
        role=role(link.role),
        return_by=signing_round().store.round(link.mou).return_by,
        limit_mb=signing_round().settings.upload_limit_mb,
        remote=_signs_remotely(token),
    )
    # The page frames the document it offers (same origin only).
    return make_response(page, status, {"Content-Security-Policy": CSP + "; frame-src 'self'"})

"""The coordinator's pages: login, the rounds, invitations, links, uploads and downloads."""

from __future__ import annotations

import functools
import io
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    g,
    redirect,
    render_template,
    request,
    send_file,
    session,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_wtf import FlaskForm

from mougen.collect.checks import Rejection
from mougen.config.catalog import MouEntry
from mougen.errors import MougenError, UnknownItem
from mougen.pack.builder import pack_name
from mougen.reports import dashboard_html
from mougen.reports.status import completion, write_status_csv
from mougen.roles import ROLES, role
from mougen.round.documents import packs_dir
from mougen.round.records import Account
from mougen.web.context import actor, signing_round
from mougen.web.context import now as clock_now
from mougen.web.forms import ActionForm, LoginForm, ReturnByForm, UploadForm
from mougen.web.pool import BUSY, BUSY_RETRY_SECONDS, checking
from mougen.web.slots import Busy
from mougen.web.views.uploads import uploaded_bytes

bp = Blueprint("coordinator", __name__)

#: A page's view function.
View = Callable[..., ResponseReturnValue]

_LOGIN_MESSAGES = {
    "wrong": "The user name or password is not right.",
    "blocked": "Too many wrong passwords from your address. Wait a few minutes and try again.",
    "throttled": "Too many attempts from your address. Wait a few minutes and try again.",
}


def login_required(view: View) -> View:
    """The view for a signed-in coordinator (found by ``app._signed_in_account``) only."""

    @functools.wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> ResponseReturnValue:
        if g.get("account") is None:
            return redirect(url_for("coordinator.login"))
        return view(*args, **kwargs)

    return wrapped


#: The dashboard's one line for an account with no region (one made before scopes existed).
NO_SCOPE = (
    "Your account has no regions yet: ask an administrator to run "
    "`mougen users scope {name} --region REGION`."
)


def _account() -> Account:
    return g.account


@bp.route("/login", methods=["GET", "POST"])
def login() -> ResponseReturnValue:
    form = LoginForm()
    error = None
    if form.validate_on_submit():
        done = signing_round().store.login(form.name.data, form.password.data, request.remote_addr)
        if done.account is not None:
            session.clear()
            session.permanent = True  # signed with its time: it ends after SESSION_HOURS
            session.update(
                uid=done.account.id,
                user=done.account.name,
                generation=done.account.generation,
                nonce=done.account.nonce,
            )
            return redirect(url_for("coordinator.dashboard"))
        error = _LOGIN_MESSAGES[done.outcome]
    status_code = 401 if error == _LOGIN_MESSAGES["wrong"] else (429 if error else 200)
    return render_template("login.html", form=form, error=error), status_code


@bp.post("/logout")
@login_required
def logout() -> ResponseReturnValue:
    if ActionForm().validate_on_submit():
        signing_round().store.end_sessions(_account().id, actor())
        session.clear()
    return redirect(url_for("coordinator.login"))


@bp.get("/")
@login_required
def dashboard() -> ResponseReturnValue:
    if _account().regions == ():
        flash(NO_SCOPE.format(name=_account().name), "no-scope")
    service = signing_round()
    rows = service.status()
    done = completion(rows)
    rounds = [
        (entry, done.get(mou_id, (0, len(entry.mou.parties))))
        for mou_id, entry in sorted(service.ws.catalog.entries.items())
        if _account().may_see(entry.region.id)
    ]
    return render_template("dashboard.html", rounds=rounds, form=ActionForm())


@bp.get("/report")
@login_required
def report() -> ResponseReturnValue:
    if not _account().administrator:
        abort(404)  # the report spans every region and the whole event log
    service = signing_round()
    now = clock_now()
    html = dashboard_html(service.ws, service.tracker, None, now.date(), now)
    response = Response(html, mimetype="text/html")
    # The report is a standalone page with its own inline styles (and no script).
    response.headers["Content-Security-Policy"] = (
        "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'; base-uri 'none'"
    )
    return response


def _entry(mou: str) -> MouEntry:
    """The round ``mou``; a 404 when there is none or it is outside the account's regions."""
    try:
        entry = signing_round().ws.catalog.mou(mou)
    except UnknownItem:
        abort(404)
    if not _account().may_see(entry.region.id):
        abort(404)
    return entry


@bp.get("/rounds/<mou>")
@login_required
def round_page(mou: str) -> ResponseReturnValue:
    service = signing_round()
    entry = _entry(mou)
    rows = service.status(mou)
    now = clock_now()
    links, invited = {}, set()
    for link in service.store.links(mou):
        invited.add(link.authority)
        if link.usable(now):
            links[(link.authority, link.role)] = link
    offers = {r.authority: service.offer(mou, r.authority, r.authority in invited) for r in rows}
    return render_template(
        "round.html",
        entry=entry,
        rows=rows,
        roles=ROLES,
        order=[role(r).title for r in service.settings.signing_order],
        links=links,
        offers=offers,
        rejected=service.store.uploads(mou, rejected_only=True)[:20],
        emails=[e for e in service.store.emails() if e.mou == mou][-20:],
        round=service.store.round(mou),
        packs={r.authority for r in rows if _pack_zip(mou, r.authority).is_file()},
        action=ActionForm(),
        upload=UploadForm(),
        return_by=ReturnByForm(return_by=service.store.round(mou).return_by),
    )


def _back(mou: str) -> ResponseReturnValue:
    return redirect(url_for("coordinator.round_page", mou=mou))


def _guarded(mou: str, form: FlaskForm | None = None) -> bool:
    _entry(mou)
    return (form or ActionForm()).validate_on_submit()


@bp.post("/rounds/<mou>/invite")
@login_required
def invite(mou: str) -> ResponseReturnValue:
    if _guarded(mou):
        slugs = request.form.getlist("authority")
        try:
            done = signing_round().invite(mou, slugs, actor(), resend=bool(slugs))
        except MougenError as exc:
            flash(exc.detail, "error")
        else:
            flash(f"Sent {len(done.sent)} invitation(s).", "success")
            if done.skipped:
                flash("Not invited: " + "; ".join(done.skipped) + ".", "error")
    return _back(mou)


@bp.post("/rounds/<mou>/links/<int:link_id>/revoke")
@login_required
def revoke(mou: str, link_id: int) -> ResponseReturnValue:
    _entry(mou)
    link = signing_round().store.link(link_id)
    if link is None or link.mou != mou:
        abort(404)
    if _guarded(mou):
        link = signing_round().store.revoke(link_id, actor())
        flash("Link revoked." if link else "That link was already closed.", "success")
    return _back(mou)


@bp.post("/rounds/<mou>/return-by")
@login_required
def set_return_by(mou: str) -> ResponseReturnValue:
    form = ReturnByForm()
    if _guarded(mou, form):
        signing_round().store.set_return_by(mou, form.return_by.data, actor())
        flash("Return-by date saved.", "success")
    else:
        flash("Give the date as YYYY-MM-DD.", "error")
    return _back(mou)


@bp.post("/rounds/<mou>/upload")
@login_required
def upload(mou: str) -> ResponseReturnValue:
    form = UploadForm()
    if _guarded(mou, form):
        service = signing_round()
        try:
            data = uploaded_bytes(form, service.settings.upload_limit)
            with checking(service, reserved=True):
                checked = service.receive(data, actor(), mou=mou)
        except Busy:
            headers = {"Retry-After": str(BUSY_RETRY_SECONDS)}
            return Response(BUSY, 503, headers, mimetype="text/plain")
        except Rejection as exc:
            flash(f"Upload rejected: {exc}", "error")
        else:
            flash(f"Accepted for {checked.authority}: {', '.join(checked.roles)}.", "success")
    else:
        flash("Choose the signed PDF file.", "error")
    return _back(mou)


def _pack_zip(mou: str, slug: str) -> Path:
    return packs_dir(signing_round().ws, mou) / f"{pack_name(mou, slug)}.zip"


@bp.get("/rounds/<mou>/<slug>/pack.zip")
@login_required
def pack(mou: str, slug: str) -> ResponseReturnValue:
    entry = _entry(mou)
    if slug not in entry.mou.parties or not _pack_zip(mou, slug).is_file():
        abort(404)
    signing_round().store.log("downloaded", f"{mou}/{slug}", actor(), what="pack")
    return send_file(_pack_zip(mou, slug), download_name=f"{pack_name(mou, slug)}.zip")


def _executed(mou: str, slug: str) -> tuple[Path, bytes]:
    entry = _entry(mou)
    if slug not in entry.mou.parties:
        abort(404)
    done = signing_round().executed(mou, slug)
    if done is None:
        abort(404)
    return done


@bp.get("/rounds/<mou>/<slug>/executed.pdf")
@login_required
def executed_pdf(mou: str, slug: str) -> ResponseReturnValue:
    path, _ = _executed(mou, slug)
    signing_round().store.log("downloaded", f"{mou}/{slug}", actor(), what="executed")
    return send_file(path, mimetype="application/pdf", download_name=f"{pack_name(mou, slug)}.pdf")


@bp.get("/rounds/<mou>/<slug>/certificate.pdf")
@login_required
def certificate(mou: str, slug: str) -> ResponseReturnValue:
    _, pdf = _executed(mou, slug)
    signing_round().store.log("downloaded", f"{mou}/{slug}", actor(), what="certificate")
    name = f"{pack_name(mou, slug)}--certificate.pdf"
    return send_file(io.BytesIO(pdf), mimetype="application/pdf", download_name=name)


@bp.get("/rounds/<mou>/executed.zip")
@login_required
def executed_zip(mou: str) -> ResponseReturnValue:
    service = signing_round()
    entry = _entry(mou)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for slug in entry.mou.parties:
            path = service.executed_path(mou, slug)
            if path is not None:
                archive.write(path, f"{pack_name(mou, slug)}.pdf")
    service.store.log("downloaded", mou, actor(), what="executed zip")
    out.seek(0)
    return send_file(out, mimetype="application/zip", download_name=f"{mou}--executed.zip")


@bp.get("/rounds/<mou>/status.csv")
@login_required
def status_csv(mou: str) -> ResponseReturnValue:
    service = signing_round()
    _entry(mou)
    text = io.StringIO()
    write_status_csv(
        service.status(mou),
        text,
    )
    service.store.log("downloaded", mou, actor(), what="status csv")
    headers = {"Content-Disposition": f'attachment; filename="{mou}--status.csv"'}
    return Response(text.getvalue(), mimetype="text/csv", headers=headers)

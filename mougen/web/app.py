"""The Flask application: configuration, security headers, and the three audiences' pages.

Flask because the pages are server-rendered forms with no client code, and Flask brings
Jinja2 (which the GOV.UK Frontend macros are written for), Flask-WTF's CSRF protection and
signed session cookies; any WSGI server runs it with several workers (gunicorn, say).
"""

from __future__ import annotations

import contextlib
import hmac
import os
import secrets
from datetime import timedelta
from pathlib import Path

import jinja2
from flask import Flask, Response, g, render_template, request, session
from flask.typing import ResponseReturnValue
from flask_wtf.csrf import CSRFError, CSRFProtect
from werkzeug.middleware.proxy_fix import ProxyFix

from mougen import atomic
from mougen.config.models import signing_method
from mougen.errors import OutputError
from mougen.hsm import check_token
from mougen.round.passwords import prepare_unknown_user_hash
from mougen.round.remote import RemoteSigning
from mougen.round.settings import WebSettings, load_settings, load_token
from mougen.round.signing_round import SigningRound
from mougen.tracker import Clock, Tracker, wall_clock
from mougen.verify.sandbox import warm_up
from mougen.web.context import CSP, EXTENSION, REMOTE, signing_round
from mougen.web.redact import REDACTED_TOKENS, RedactedLogPaths
from mougen.web.views import auditor, coordinator, remote, signatory
from mougen.workspace import Workspace

SECRET_FILE = ".web-secret"
#: How long a coordinator stays signed in.
SESSION_HOURS = 8
#: Room for the form fields around an upload of the largest allowed size.
FORM_OVERHEAD = 64 * 1024


def create_app(
    ws: Workspace, settings: WebSettings | None = None, clock: Clock = wall_clock
) -> Flask:
    """The web service for workspace ``ws`` (its tracker is opened, and migrated, now).

    ``clock`` is the service's one clock: the tracker logs at it and every page and round
    operation reads the time from it (tests pass a fixed one)."""
    settings = settings or load_settings(ws.root)
    app = Flask("mougen.web", static_folder="static", template_folder="templates")
    app.jinja_loader = jinja2.ChoiceLoader(
        [
            jinja2.PackageLoader("mougen.web", "templates"),
            jinja2.PrefixLoader(
                {"govuk_frontend_jinja": jinja2.PackageLoader("govuk_frontend_jinja")}
            ),
        ]
    )
    app.jinja_env.undefined = jinja2.ChainableUndefined
    app.jinja_env.globals["signing_method"] = signing_method  # the round page shows it
    app.config.update(
        SECRET_KEY=_secret_key(ws.root / SECRET_FILE),
        MAX_CONTENT_LENGTH=settings.upload_limit + FORM_OVERHEAD,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=settings.secure_cookies,
        SESSION_COOKIE_NAME="mougen_session",
        WTF_CSRF_TIME_LIMIT=None,  # the token lives as long as the session
        PERMANENT_SESSION_LIFETIME=timedelta(hours=SESSION_HOURS),
    )
    CSRFProtect(app)
    tracker = Tracker.open(ws.db_url, clock=clock)
    app.extensions[EXTENSION] = service = SigningRound(ws, tracker, settings)
    token = load_token(ws.root)
    if token is not None:  # a missing PIN file or a wrong PIN: one line now, not at signing
        check_token(token)
    app.extensions[REMOTE] = RemoteSigning(service, token)
    warm_up()
    prepare_unknown_user_hash()
    for blueprint in (coordinator.bp, signatory.bp, remote.bp, auditor.bp):
        app.register_blueprint(blueprint)
    if settings.proxy_hops:
        # Behind a reverse proxy, the client's address is in X-Forwarded-For.
        hops = settings.proxy_hops
        # Flask's documented way to add WSGI middleware; its stubs declare a method.
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops
        )
    # Outermost, so the path it redacts is the one the server logs.
    app.wsgi_app = RedactedLogPaths(app.wsgi_app)  # type: ignore[method-assign]
    app.logger.addFilter(REDACTED_TOKENS)  # its "Exception on <path>" line names the path
    app.before_request(_signed_in_account)
    app.after_request(_security_headers)
    if settings.secure_cookies:
        app.after_request(_strict_transport)
    app.register_error_handler(CSRFError, _csrf_error)
    app.register_error_handler(413, _too_large)
    app.register_error_handler(404, _not_found)
    return app


def _signed_in_account() -> None:
    """Find who the session belongs to, if anyone; a session from before a logout, a
    password change or the account's removal (or renaming) is ended here."""
    uid = session.get("uid")
    if uid is None:
        session.pop("user", None)
        return
    account = signing_round().store.account(uid)
    if (
        account is None
        or account.name != session.get("user")
        or account.generation != session.get("generation")
        or not hmac.compare_digest(account.nonce, str(session.get("nonce", "")))
    ):
        session.clear()
        return
    g.account, g.user = account, account.name


def _security_headers(response: Response) -> Response:
    response.headers.setdefault("Content-Security-Policy", CSP)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers.setdefault("X-Frame-Options", "DENY")
    response.headers["Referrer-Policy"] = "no-referrer"
    if request.endpoint != "static":
        # Pages and documents alike (send_file would say no-cache, with an ETag): nothing
        # behind a login or a personal link is kept by a browser or a proxy.
        response.headers["Cache-Control"] = "no-store"
        response.headers.pop("ETag", None)
    return response


def _strict_transport(response: Response) -> Response:
    response.headers["Strict-Transport-Security"] = "max-age=31536000"
    return response


def _csrf_error(error: CSRFError) -> ResponseReturnValue:
    message = "The form had expired or was not sent from this service. Go back and try again."
    return render_template("error.html", title="Form not accepted", message=message), 400


def _too_large(_error: Exception) -> ResponseReturnValue:
    limit = signing_round().settings.upload_limit_mb
    message = f"The file is larger than {limit} MB. Nothing was kept."
    return render_template("error.html", title="File too large", message=message), 413


def _not_found(_error: Exception) -> ResponseReturnValue:
    return render_template("error.html", title="Page not found", message=None), 404


def _secret_key(path: Path) -> bytes:
    """The session-signing key, made once per workspace and shared by every worker.

    It is written aside and hard-linked into place, so a worker never reads half a key.
    """
    if not path.exists():
        aside = path.with_name(f"{path.name}.{os.getpid()}.tmp")
        try:
            atomic.write_bytes(aside, secrets.token_bytes(32), mode=0o600)
            with contextlib.suppress(FileExistsError):
                os.link(aside, path)
        except OSError as exc:
            raise OutputError(f"cannot create the session key: {exc.strerror}", path) from None
        finally:
            aside.unlink(missing_ok=True)
    return path.read_bytes()

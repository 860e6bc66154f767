"""The web service for the signing round (``mougen serve``): coordinator, signatory and
auditor pages over the workspace's tracker."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from flask import Flask


def wsgi_app() -> Flask:
    """The application for a WSGI server, on the workspace in ``MOUGEN_WORKSPACE``
    (and the database in ``MOUGEN_DB``): ``gunicorn -w 2 'mougen.web:wsgi_app()'``."""
    from mougen.web.app import create_app
    from mougen.workspace import Workspace

    return create_app(Workspace.locate())

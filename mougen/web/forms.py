"""The service's forms; Flask-WTF adds a CSRF token to each and checks it on every POST."""

from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import DateField, PasswordField, StringField
from wtforms.validators import DataRequired, Length, Optional


class LoginForm(FlaskForm):
    name = StringField("User name", validators=[DataRequired(), Length(max=64)])
    password = PasswordField("Password", validators=[DataRequired(), Length(max=1024)])


class UploadForm(FlaskForm):
    file = FileField("Signed PDF", validators=[FileRequired("Choose the signed PDF file")])


class ReturnByForm(FlaskForm):
    return_by = DateField("Return-by date (optional)", validators=[Optional()])


class ActionForm(FlaskForm):
    """A button with nothing but the CSRF token (send, resend, revoke, log out)."""

"""The service's forms; Flask-WTF adds a CSRF token to each and checks it on every POST."""

from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, DateField, PasswordField, StringField
from wtforms.validators import DataRequired, Length, Optional, Regexp


class LoginForm(FlaskForm):
    name = StringField("User name", validators=[DataRequired(), Length(max=64)])
    password = PasswordField("Password", validators=[DataRequired(), Length(max=1024)])


class UploadForm(FlaskForm):
    file = FileField("Signed PDF", validators=[FileRequired("Choose the signed PDF file")])


class ReturnByForm(FlaskForm):
    return_by = DateField("Return-by date (optional)", validators=[Optional()])


class ActionForm(FlaskForm):
    """A button with nothing but the CSRF token (send, resend, revoke, log out)."""


class CodeRequestForm(FlaskForm):
    """The signatory confirms they have read the document, then asks for a code."""

    read = BooleanField(
        "I have read the document and I am signing it", validators=[DataRequired("Tick the box")]
    )


class CodeForm(FlaskForm):
    """The six-digit code emailed to the signatory."""

    code = StringField(
        "Code from the email",
        validators=[
            DataRequired("Enter the code from the email"),
            Regexp(r"^\s*\d{6}\s*$", message="The code is the 6 digits in the email"),
        ],
    )

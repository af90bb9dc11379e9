"""Forms of the people side. Labels are lazy so they follow the request's language."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    EmailField,
    HiddenField,
    PasswordField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import URL, DataRequired, Email, EqualTo, Length, Optional

from auth.models import Role

LANGUAGES = [SelectChoice("tr", "Türkçe"), SelectChoice("en", "English")]


def _email_field(label: object = None) -> EmailField:
    return EmailField(
        label or _l("Email address"),
        validators=[
            DataRequired(message=_l("Please enter an email address.")),
            Length(max=254),
            Email(
                message=_l("This does not look like an email address."), check_deliverability=False
            ),
        ],
        render_kw={"autocomplete": "email"},
    )


def _new_password_fields() -> tuple[PasswordField, PasswordField]:
    password = PasswordField(
        _l("New password"),
        validators=[DataRequired(message=_l("Please choose a password.")), Length(max=200)],
        description=_l("At least 12 characters. A phrase of unrelated words is easy to remember."),
        render_kw={"autocomplete": "new-password"},
    )
    confirm = PasswordField(
        _l("New password again"),
        validators=[
            DataRequired(message=_l("Please type the password again.")),
            EqualTo("password", message=_l("The two passwords are not the same.")),
        ],
        render_kw={"autocomplete": "new-password"},
    )
    return password, confirm


class LoginForm(FlaskForm):
    email = _email_field()
    password = PasswordField(
        _l("Password"),
        validators=[DataRequired(message=_l("Please enter your password.")), Length(max=200)],
        render_kw={"autocomplete": "current-password"},
    )
    next = HiddenField()


class ForgotPasswordForm(FlaskForm):
    email = _email_field()


class ResetPasswordForm(FlaskForm):
    password, confirm = _new_password_fields()


class ChangePasswordForm(FlaskForm):
    current_password = PasswordField(
        _l("Current password"),
        validators=[DataRequired(message=_l("Please enter your current password."))],
        render_kw={"autocomplete": "current-password"},
    )
    password, confirm = _new_password_fields()


class PreferencesForm(FlaskForm):
    name = StringField(
        _l("Your name"),
        validators=[DataRequired(message=_l("Please enter your name.")), Length(max=120)],
        render_kw={"autocomplete": "name"},
    )
    locale = SelectField(_l("Language"), choices=LANGUAGES)


class AcceptInvitationForm(FlaskForm):
    name = StringField(
        _l("Your name"),
        validators=[DataRequired(message=_l("Please enter your name.")), Length(max=120)],
        render_kw={"autocomplete": "name"},
    )
    password, confirm = _new_password_fields()
    locale = SelectField(_l("Preferred language"), choices=LANGUAGES)
    consent = BooleanField(
        _l("I have read the data-processing notice above and I agree to it."),
        validators=[
            DataRequired(
                message=_l("Please read the data-processing notice and confirm that you agree.")
            )
        ],
    )


NEW_ORGANIZATION = "new"


class InvitationForm(FlaskForm):
    email = _email_field(_l("Email address of the person invited"))
    role = SelectField(
        _l("Role"),
        choices=[
            SelectChoice(Role.participant.value, _l("Representative of an organisation")),
            SelectChoice(Role.moderator.value, _l("Moderator")),
            SelectChoice(Role.organizer.value, _l("Organiser")),
        ],
        default=Role.participant.value,
    )
    organization = SelectField(
        _l("Organisation"),
        description=_l("Only for representatives. Choose “New organisation” and name it below."),
        validate_choice=True,
    )
    new_organization = StringField(
        _l("Name of the new organisation"), validators=[Optional(), Length(max=200)]
    )
    locale = SelectField(_l("Language of the invitation mail"), choices=LANGUAGES)

    def __init__(self, *args: object, organizations: list[tuple[int, str]], **kwargs: object):
        super().__init__(*args, **kwargs)
        self.organization.choices = [
            SelectChoice("", _l("— none (moderator or organiser) —")),
            SelectChoice(NEW_ORGANIZATION, _l("New organisation")),
            *[SelectChoice(str(org_id), name) for org_id, name in organizations],
        ]


class OrganizationForm(FlaskForm):
    name = StringField(
        _l("Name"),
        validators=[DataRequired(message=_l("Please enter a name.")), Length(max=200)],
    )
    description = TextAreaField(
        _l("About the organisation"),
        validators=[Length(max=5000)],
        description=_l("Markdown: **bold**, *italic*, lists and links."),
    )
    website = StringField(
        _l("Website"),
        validators=[
            Optional(),
            Length(max=300),
            URL(require_tld=True, message=_l("Please enter a full address (https://…).")),
        ],
    )


# --- two-factor authentication ------------------------------------------------------------


class TwoFactorForm(FlaskForm):
    """The second step of signing in: a code from the app, or a recovery code."""

    code = StringField(
        _l("Code"),
        validators=[DataRequired(message=_l("Please enter the code.")), Length(max=40)],
        description=_l(
            "The six digits your authenticator app shows for Ortak now, or one of your "
            "recovery codes."
        ),
        render_kw={"autocomplete": "one-time-code", "autocapitalize": "off",
                   "spellcheck": "false"},
    )  # fmt: skip


class TwoFactorSetupForm(FlaskForm):
    code = StringField(
        _l("Six-digit code from the app"),
        validators=[DataRequired(message=_l("Please enter the code.")), Length(max=20)],
        render_kw={"autocomplete": "one-time-code", "inputmode": "numeric"},
    )


class ConfirmPasswordForm(FlaskForm):
    """Your password again, before a change that weakens or replaces a second factor."""

    current_password = PasswordField(
        _l("Your password"),
        validators=[DataRequired(message=_l("Please enter your password.")), Length(max=200)],
        render_kw={"autocomplete": "current-password"},
    )

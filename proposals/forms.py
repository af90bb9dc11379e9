"""Forms of the campaign side."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    DateField,
    DateTimeLocalField,
    HiddenField,
    IntegerField,
    RadioField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange

from proposals.campaigns import MAX_VOTES, MIN_VOTES, WINDOW_FIELDS, window_errors
from proposals.models import Visibility

_WHEN = "%Y-%m-%dT%H:%M"


def _moment(label: object) -> DateTimeLocalField:
    return DateTimeLocalField(
        label,
        format=_WHEN,
        validators=[DataRequired(message=_l("Please give a date and time."))],
    )


class CampaignForm(FlaskForm):
    title = StringField(
        _l("Title"),
        validators=[DataRequired(message=_l("Please give the campaign a title.")), Length(max=200)],
    )
    description = TextAreaField(
        _l("Description"),
        validators=[Length(max=20000)],
        description=_l("Markdown: **bold**, *italic*, lists and links."),
    )
    awareness_day = DateField(
        _l("The awareness day"),
        validators=[DataRequired(message=_l("Please give the date of the day."))],
    )
    submission_opens_at = _moment(_l("Submissions open"))
    submission_closes_at = _moment(_l("Submissions close"))
    voting_opens_at = _moment(_l("Voting opens"))
    voting_closes_at = _moment(_l("Voting closes"))
    votes_per_organization = IntegerField(
        _l("Votes per organisation"),
        validators=[
            InputRequired(message=_l("Please give a number.")),
            NumberRange(
                min=MIN_VOTES,
                max=MAX_VOTES,
                message=_l("Between %(low)d and %(high)d votes.", low=MIN_VOTES, high=MAX_VOTES),
            ),
        ],
        description=_l("Each organisation's ballot holds this many votes (1–20)."),
    )
    visibility = RadioField(
        _l("Who can read the campaign"),
        choices=[
            SelectChoice(
                Visibility.public.value,
                _l("Public: anyone can read; only invited people take part"),
            ),
            SelectChoice(
                Visibility.members.value, _l("Members only: only signed-in people can read")
            ),
        ],
        default=Visibility.public.value,
    )

    def validate(self, extra_validators: object = None) -> bool:
        valid = super().validate(extra_validators)  # type: ignore[arg-type]
        for name, message in window_errors(
            {name: getattr(self, name).data for name in WINDOW_FIELDS}
        ).items():
            getattr(self, name).errors.append(message)
            valid = False
        return valid


class NewCampaignForm(CampaignForm):
    themes = TextAreaField(
        _l("Suggested themes"),
        validators=[Length(max=5000)],
        description=_l(
            "One theme per line, the Turkish name first, then “|” and the English name. "
            "Moderators can change them later."
        ),
    )
    creation_key = HiddenField()

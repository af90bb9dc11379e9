"""Forms of the campaign side."""

from __future__ import annotations

from datetime import date
from enum import Enum
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    DateTimeLocalField,
    HiddenField,
    IntegerField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    ValidationError,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from proposals.campaigns import (
    MAX_POINTS,
    MAX_VOTES,
    MIN_POINTS,
    MIN_VOTES,
    WINDOW_FIELDS,
    window_errors,
)
from proposals.models import BallotSecrecy, ResultsVisibility, Visibility, VotingMethod
from proposals.submission import BUDGET_MAX, PARTICIPANTS_MAX, SUMMARY_MAX, TITLE_MAX

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
    voting_method = RadioField(
        _l("Voting method"),
        choices=[
            SelectChoice(
                VotingMethod.approval.value,
                _l("Approval voting: one vote for each chosen proposal"),
            ),
            SelectChoice(
                VotingMethod.points.value,
                _l("Dot voting: organisations spread their points, several on one proposal"),
            ),
        ],
        default=VotingMethod.approval.value,
    )
    max_points_per_proposal = IntegerField(
        _l("Points per proposal at most (dot voting)"),
        validators=[
            Optional(),
            NumberRange(
                min=MIN_POINTS,
                max=MAX_POINTS,
                message=_l("Between %(low)d and %(high)d points.", low=MIN_POINTS, high=MAX_POINTS),
            ),
        ],
        default=1,
        description=_l(
            "Dot voting only: how many of its points an organisation may put on one proposal "
            "(1–20, no more than the votes per organisation)."
        ),
        render_kw={"inputmode": "numeric"},
    )
    allow_own_votes = BooleanField(
        _l("Organisations may vote for their own proposals and those they partner"),
        default=False,
    )
    results_visibility = RadioField(
        _l("Results"),
        choices=[
            SelectChoice(
                ResultsVisibility.after_close.value,
                _l("Hidden until voting closes (organisers see them throughout)"),
            ),
            SelectChoice(ResultsVisibility.live.value, _l("Live: everyone sees them while voting")),
        ],
        default=ResultsVisibility.after_close.value,
    )
    ballot_secrecy = RadioField(
        _l("Ballots"),
        choices=[
            SelectChoice(
                BallotSecrecy.secret.value,
                _l("Secret: nobody sees another organisation's ballot, organisers included"),
            ),
            SelectChoice(
                BallotSecrecy.open.value,
                _l("Open to organisers: they see each organisation's ballot"),
            ),
        ],
        default=BallotSecrecy.secret.value,
    )

    def keep_frozen(self, frozen: dict[str, object]) -> None:
        """Fields the page shows disabled keep the stored values (browsers do not send a
        disabled field); a value that was sent anyway is left for the rules to refuse."""
        for name, value in frozen.items():
            field = self[name]
            if not field.raw_data:
                field.data = value.value if isinstance(value, Enum) else value
                field.raw_data = [str(field.data)]

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


def _optional_int(label: object, maximum: int, description: object = None) -> IntegerField:
    return IntegerField(
        label,
        validators=[
            Optional(),
            NumberRange(min=0, max=maximum, message=_l("Give a number between 0 and %(max)s.")),
        ],
        description=description,
        render_kw={"inputmode": "numeric"},
    )


class ProposalForm(FlaskForm):
    """One form for drafts and submitted proposals; a draft may be saved incomplete."""

    title = StringField(
        _l("Title"),
        validators=[Length(max=TITLE_MAX, message=_l("At most %(max)d characters."))],
        render_kw={"maxlength": TITLE_MAX},
        description=_l("At most %(n)d characters.", n=TITLE_MAX),
    )
    summary = TextAreaField(
        _l("Summary"),
        validators=[Length(max=SUMMARY_MAX, message=_l("At most %(max)d characters."))],
        render_kw={"maxlength": SUMMARY_MAX, "rows": 3},
        description=_l(
            "Two or three sentences shown in lists. At most %(n)d characters.", n=SUMMARY_MAX
        ),
    )
    description = TextAreaField(
        _l("Description"),
        validators=[Length(max=50_000)],
        render_kw={"rows": 12},
        description=_l(
            "What will happen, who takes part, how it reaches women. Markdown: **bold**, "
            "*italic*, lists and links. Please do not write personal details of survivors."
        ),
    )
    activity_type = SelectField(_l("Type of activity"), validate_choice=False)
    target_group = StringField(
        _l("Target group"),
        validators=[Length(max=200)],
        description=_l("For example: young women, women with disabilities, health workers."),
    )
    district = SelectField(_l("District"), validate_choice=False)
    proposed_date = DateField(
        _l("Proposed date"),
        validators=[Optional()],
    )
    expected_participants = _optional_int(_l("Expected participants"), PARTICIPANTS_MAX)
    estimated_budget = _optional_int(
        _l("Estimated budget (TRY)"), BUDGET_MAX, _l("Optional. Whole Turkish lira.")
    )
    partners = SelectMultipleField(
        _l("Partner organisations"),
        coerce=int,
        validate_choice=False,
        description=_l(
            "Each organisation you choose is asked to confirm; it is shown as a partner "
            "once it has."
        ),
    )
    reason = TextAreaField(
        _l("Reason for the edit"),
        validators=[Length(max=2000)],
        description=_l("Shown on the proposal with the edit."),
    )
    creation_key = HiddenField()

    def __init__(
        self,
        *args: Any,
        activity_labels: dict[str, Any],
        district_labels: list[tuple[str, Any]],
        partner_choices: list[tuple[int, str]],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.activity_type.choices = [
            SelectChoice("", _l("— choose —")),
            *[SelectChoice(value, label) for value, label in activity_labels.items()],
        ]
        self.district.choices = [
            SelectChoice("", _l("— choose —")),
            *[SelectChoice(value, label) for value, label in district_labels],
        ]
        self.partners.choices = [SelectChoice(org_id, name) for org_id, name in partner_choices]

    def validate_proposed_date(self, field: DateField) -> None:
        if field.data and not (date(2000, 1, 1) <= field.data <= date(2100, 12, 31)):
            raise ValidationError(_l("Give a date between 2000 and 2100."))


class WithdrawForm(FlaskForm):
    reason = TextAreaField(
        _l("Reason (optional)"),
        validators=[Length(max=2000)],
        description=_l(
            "Shown on the proposal. You can undo the withdrawal until submissions close."
        ),
    )

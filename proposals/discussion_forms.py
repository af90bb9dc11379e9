"""Forms of the discussion: comments, replies, edits, reports, notification preferences."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import IntegerField, RadioField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional
from wtforms.widgets import HiddenInput

from auth.models import NotificationMode
from proposals.discussion import BODY_MAX, KIND_LABELS, REASON_MAX
from proposals.models import CommentKind

_BODY_HINT = _l(
    "Markdown: **bold**, *italic*, lists and links. At most %(n)d characters.", n=BODY_MAX
)


def _body(label: object, field_id: str) -> TextAreaField:
    return TextAreaField(
        label,
        id=field_id,
        validators=[
            DataRequired(message=_l("Please write your comment.")),
            Length(max=BODY_MAX, message=_l("At most %(n)d characters.", n=BODY_MAX)),
        ],
        description=_BODY_HINT,
        render_kw={"rows": 5, "maxlength": BODY_MAX},
    )


class CommentForm(FlaskForm):
    """A new comment, or a reply when ``parent_id`` is given (replies are plain comments)."""

    kind = RadioField(
        _l("What kind of comment is it?"),
        choices=[SelectChoice(kind.value, label) for kind, label in KIND_LABELS.items()],
        default=CommentKind.comment.value,
        id="comment-kind",
    )
    body = _body(_l("Your comment"), "comment-body")
    parent_id = IntegerField(widget=HiddenInput(), validators=[Optional()])
    # What the personal-data guard points out when the form comes back (personal_data.Check).
    personal_data: Any = None


class EditCommentForm(FlaskForm):
    body = _body(_l("Your comment"), "edit-comment-body")
    personal_data: Any = None  # as on CommentForm


class ReportForm(FlaskForm):
    reason = TextAreaField(
        _l("What is wrong?"),
        validators=[
            DataRequired(message=_l("Please tell the moderators what is wrong.")),
            Length(max=REASON_MAX, message=_l("At most %(n)d characters.", n=REASON_MAX)),
        ],
        description=_l(
            "Only the moderators read this. For example: insulting language, personal "
            "details of a survivor, advertising."
        ),
        render_kw={"rows": 5, "maxlength": REASON_MAX},
    )


class NotificationSettingsForm(FlaskForm):
    mode = RadioField(
        _l("Mail me about notifications"),
        choices=[
            SelectChoice(NotificationMode.immediate.value, _l("At once, one mail each")),
            SelectChoice(NotificationMode.daily.value, _l("Once a day, in one summary mail")),
            SelectChoice(NotificationMode.off.value, _l("Never: I read them here")),
        ],
        validators=[DataRequired(message=_l("Please choose one."))],
    )

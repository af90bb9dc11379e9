"""Setting up a consultation: templates for the usual awareness days, windows, phases."""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from auth.audit import record, snapshot
from auth.errors import DomainError
from auth.models import User
from extensions import db
from proposals.models import (
    BallotSecrecy,
    Campaign,
    Phase,
    ResultsVisibility,
    Theme,
    Visibility,
    VotingMethod,
)
from proposals.voting import rules_frozen
from text import fold

MIN_VOTES, MAX_VOTES, DEFAULT_VOTES = 1, 20, 3
MIN_POINTS, MAX_POINTS = 1, 20  # dot voting: at most this many points on one proposal

WINDOW_FIELDS = (
    "submission_opens_at",
    "submission_closes_at",
    "voting_opens_at",
    "voting_closes_at",
)
AUDITED_FIELDS = (
    "title",
    "description",
    "awareness_day",
    *WINDOW_FIELDS,
    "votes_per_organization",
    "visibility",
    "voting_method",
    "max_points_per_proposal",
    "allow_own_votes",
    "results_visibility",
    "ballot_secrecy",
)
# The rules of the vote: fixed once voting has opened (or a ballot exists), so that no
# organisation votes under rules that change under it (see ``voting.rules_frozen``).
VOTING_RULES = (
    "voting_method",
    "votes_per_organization",
    "max_points_per_proposal",
    "allow_own_votes",
)


# Colours with at least 4.5:1 contrast against white text, cycled by position.
THEME_PALETTE = ("#6b3fa0", "#b3261e", "#1d6b52", "#1d4f91", "#8a4b08", "#5c5c5c")


@dataclass(frozen=True)
class ThemeSeed:
    name_tr: str
    name_en: str


@dataclass(frozen=True)
class CampaignTemplate:
    """What an organiser starts from for an awareness day: text, themes and a calendar."""

    key: str
    label: object
    month: int | None = None
    day: int | None = None
    title: object = ""
    description: object = ""
    themes: tuple[ThemeSeed, ...] = field(default_factory=tuple)

    def next_day(self, today: date) -> date:
        """The next occurrence of the day far enough ahead for a full consultation."""
        if self.month is None or self.day is None:
            return today + timedelta(days=90)
        candidate = date(today.year, self.month, self.day)
        if candidate - today < timedelta(days=60):
            candidate = date(today.year + 1, self.month, self.day)
        return candidate


VAW_THEMES = (
    ThemeSeed("Kurumlar arası koordinasyon", "Inter-agency coordination"),
    ThemeSeed("Erişilebilir destek mekanizmaları", "Accessible support mechanisms"),
    ThemeSeed("Kadınların sosyal hayata katılımı", "Women's participation in social life"),
)

TEMPLATES: dict[str, CampaignTemplate] = {
    t.key: t
    for t in (
        CampaignTemplate(
            key="25-kasim",
            label=_l(
                "25 November – International Day for the Elimination of Violence against Women"
            ),
            month=11,
            day=25,
            title=_l("25 November %(year)s: activities against violence against women"),
            description=_l(
                "Propose the activities your organisation wants to carry out with the "
                "municipality for 25 November, the International Day for the Elimination of "
                "Violence against Women: events, workshops, trainings, public campaigns and "
                "exhibitions. Comment on each other's proposals, join as partners, and vote "
                "for the shortlist."
            ),
            themes=VAW_THEMES,
        ),
        CampaignTemplate(
            key="8-mart",
            label=_l("8 March – International Women's Day"),
            month=3,
            day=8,
            title=_l("8 March %(year)s: International Women's Day activities"),
            description=_l(
                "Propose the activities your organisation wants to carry out with the "
                "municipality for 8 March, International Women's Day. Comment on each other's "
                "proposals, join as partners, and vote for the shortlist."
            ),
            themes=(
                ThemeSeed("Kadın emeği ve istihdam", "Women's work and employment"),
                ThemeSeed(
                    "Kadınların sosyal hayata katılımı", "Women's participation in social life"
                ),
                ThemeSeed("Eşitlik eğitimi", "Education for equality"),
            ),
        ),
        CampaignTemplate(key="blank", label=_l("Blank campaign")),
    )
}


def template_defaults(template: CampaignTemplate, today: date, zone: ZoneInfo) -> dict[str, object]:
    """Form values pre-filled from a template, windows in local time, as the form shows them."""
    day = template.next_day(today)

    def local(d: date, hour: int) -> datetime:
        return datetime.combine(d, time(hour, 0))

    return {
        "title": str(template.title) % {"year": day.year} if template.title else "",
        "description": str(template.description),
        "awareness_day": day,
        "submission_opens_at": local(today, 9),
        "submission_closes_at": local(day - timedelta(days=35), 23) + timedelta(minutes=59),
        "voting_opens_at": local(day - timedelta(days=28), 9),
        "voting_closes_at": local(day - timedelta(days=21), 23) + timedelta(minutes=59),
        "votes_per_organization": DEFAULT_VOTES,
        "visibility": Visibility.public.value,
        "voting_method": VotingMethod.approval.value,
        "max_points_per_proposal": DEFAULT_VOTES,
        "allow_own_votes": False,
        "results_visibility": ResultsVisibility.after_close.value,
        "ballot_secrecy": BallotSecrecy.secret.value,
        "themes": "\n".join(f"{t.name_tr} | {t.name_en}" for t in template.themes),
    }


def to_utc(local: datetime, zone: ZoneInfo) -> datetime:
    """A wall-clock time in the campaign's zone, as the naive UTC the database keeps."""
    return local.replace(tzinfo=zone).astimezone(ZoneInfo("UTC")).replace(tzinfo=None)


def to_local(utc: datetime, zone: ZoneInfo) -> datetime:
    return utc.replace(tzinfo=ZoneInfo("UTC")).astimezone(zone).replace(tzinfo=None)


def window_errors(windows: dict[str, datetime | None]) -> dict[str, str]:
    """Why these four moments cannot make a campaign's calendar, by field; empty when they can."""
    errors: dict[str, str] = {}
    sub_open, sub_close = windows.get("submission_opens_at"), windows.get("submission_closes_at")
    vote_open, vote_close = windows.get("voting_opens_at"), windows.get("voting_closes_at")
    if sub_open and sub_close and sub_close <= sub_open:
        errors["submission_closes_at"] = str(_l("The submission window must close after it opens."))
    if vote_open and vote_close and vote_close <= vote_open:
        errors["voting_closes_at"] = str(_l("The voting window must close after it opens."))
    if sub_close and vote_open and vote_open < sub_close:
        errors["voting_opens_at"] = str(
            _l("Voting cannot open before the submission window closes.")
        )
    return errors


def parse_themes(text: str) -> list[tuple[str, str]]:
    """Lines of "Turkish name | English name" (the English part optional)."""
    themes = []
    for line in text.splitlines():
        name_tr, _, name_en = line.partition("|")
        if name_tr.strip():
            themes.append((name_tr.strip()[:120], name_en.strip()[:120]))
    return themes


_ASCII = str.maketrans("çğıöşüâîû", "cgiosuaiu")


def slugify(title: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", fold(title).translate(_ASCII)).strip("-")
    return slug[:60].rstrip("-") or "kampanya"


# Addresses under /campaigns/ that are routes of their own, never a campaign's slug.
RESERVED_SLUGS = frozenset({"new"})


def unique_slug(title: str) -> str:
    base = slugify(title)
    slug, n = base, 2
    while slug in RESERVED_SLUGS or db.session.scalar(
        select(func.count(Campaign.id)).where(Campaign.slug == slug)
    ):
        slug, n = f"{base}-{n}", n + 1
    return slug


def new_creation_key() -> str:
    return secrets.token_urlsafe(24)


def campaign_for_key(key: str | None) -> Campaign | None:
    if not key:
        return None
    return db.session.scalar(select(Campaign).where(Campaign.creation_key == key))


@dataclass
class CampaignData:
    title: str
    description: str
    awareness_day: date
    submission_opens_at: datetime  # naive UTC from here on
    submission_closes_at: datetime
    voting_opens_at: datetime
    voting_closes_at: datetime
    votes_per_organization: int
    visibility: Visibility
    voting_method: VotingMethod = VotingMethod.approval
    max_points_per_proposal: int = 1  # meaningful for dot voting only
    allow_own_votes: bool = False
    results_visibility: ResultsVisibility = ResultsVisibility.after_close
    ballot_secrecy: BallotSecrecy = BallotSecrecy.secret


def _check(data: CampaignData) -> None:
    errors = window_errors({name: getattr(data, name) for name in WINDOW_FIELDS})
    if errors:
        name, message = next(iter(errors.items()))
        raise DomainError(message, name)
    if not MIN_VOTES <= data.votes_per_organization <= MAX_VOTES:
        raise DomainError(
            _l("Between %(low)d and %(high)d votes.", low=MIN_VOTES, high=MAX_VOTES),
            "votes_per_organization",
        )
    if not MIN_POINTS <= data.max_points_per_proposal <= MAX_POINTS:
        raise DomainError(
            _l("Between %(low)d and %(high)d points.", low=MIN_POINTS, high=MAX_POINTS),
            "max_points_per_proposal",
        )
    if (
        data.voting_method == VotingMethod.points
        and data.max_points_per_proposal > data.votes_per_organization
    ):
        raise DomainError(
            _l("At most the votes per organisation (%(n)d).", n=data.votes_per_organization),
            "max_points_per_proposal",
        )


def frozen_fields(campaign: Campaign, now: datetime) -> tuple[str, ...]:
    """The settings that may no longer change: the voting rules once voting has opened, and
    the secrecy of ballots cast in secret (opening them later would break a promise)."""
    if not rules_frozen(campaign, now):
        return ()
    if campaign.ballot_secrecy == BallotSecrecy.secret:
        return (*VOTING_RULES, "ballot_secrecy")
    return VOTING_RULES


def _check_frozen(campaign: Campaign, data: CampaignData, now: datetime) -> None:
    for name in frozen_fields(campaign, now):
        if getattr(data, name) != getattr(campaign, name):
            if name == "ballot_secrecy":
                raise DomainError(
                    _l("Ballots cast in secret stay secret: the secrecy cannot be lifted "
                       "once voting has opened."),
                    name,
                )  # fmt: skip
            raise DomainError(_l("The voting rules are fixed once voting has opened."), name)


def create_campaign(
    actor: User,
    data: CampaignData,
    *,
    themes: list[tuple[str, str]],
    timezone: str,
    creation_key: str | None = None,
) -> Campaign:
    _check(data)
    campaign = Campaign(
        slug=unique_slug(data.title),
        timezone=timezone,
        creation_key=creation_key,
        created_by=actor,
        **vars(data),
    )
    db.session.add(campaign)
    for position, (name_tr, name_en) in enumerate(themes):
        colour = THEME_PALETTE[position % len(THEME_PALETTE)]
        campaign.themes.append(
            Theme(name_tr=name_tr, name_en=name_en, position=position, colour=colour)
        )
    db.session.flush()
    record(actor, "campaign.create", campaign, after=snapshot(campaign, AUDITED_FIELDS))
    return campaign


def update_campaign(campaign: Campaign, actor: User, data: CampaignData, *, now: datetime) -> None:
    """Change text, calendar or budget; extending or shortening a window is an edit too.

    Once voting has opened the voting rules are fixed (``frozen_fields``): a change to one
    of them is refused on its field, while text and windows (extending the vote) stay open.
    """
    _check(data)
    _check_frozen(campaign, data, now)
    before = snapshot(campaign, AUDITED_FIELDS)
    for name, value in vars(data).items():
        setattr(campaign, name, value)
    record(actor, "campaign.update", campaign, before, snapshot(campaign, AUDITED_FIELDS))


def advance_phase(campaign: Campaign, actor: User, now: datetime) -> Phase:
    """End the current phase now and start the next one ("close early")."""
    before = snapshot(campaign, WINDOW_FIELDS)
    phase = campaign.phase(now)
    if phase == Phase.upcoming:
        campaign.submission_opens_at = now
    elif phase == Phase.submission:
        campaign.submission_closes_at = now
    elif phase == Phase.review:
        campaign.voting_opens_at = now
    elif phase == Phase.voting:
        campaign.voting_closes_at = now
    else:
        raise DomainError(_l("This campaign is closed already."))
    record(actor, "campaign.advance_phase", campaign, before, snapshot(campaign, WINDOW_FIELDS))
    return campaign.phase(now)

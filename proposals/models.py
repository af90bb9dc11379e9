"""Campaigns and their themes. Proposals, comments and ballots join them in later issues."""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Date, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from auth.models import User, utcnow
from auth.permissions import Permission, can
from extensions import db


class Phase(enum.StrEnum):
    upcoming = "upcoming"
    submission = "submission"
    review = "review"  # submission closed, voting not yet open: moderators prepare the ballot
    voting = "voting"
    closed = "closed"


class Visibility(enum.StrEnum):
    public = "public"  # anyone reads; only invited people act
    members = "members"  # only signed-in members read


class Campaign(db.Model):
    __tablename__ = "campaigns"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    awareness_day: Mapped[date] = mapped_column(Date)
    # Windows are stored in naive UTC; the phase is derived from them and never stored.
    submission_opens_at: Mapped[datetime] = mapped_column()
    submission_closes_at: Mapped[datetime] = mapped_column()
    voting_opens_at: Mapped[datetime] = mapped_column()
    voting_closes_at: Mapped[datetime] = mapped_column()
    votes_per_organization: Mapped[int] = mapped_column(default=3)
    visibility: Mapped[Visibility] = mapped_column(
        db.Enum(Visibility, native_enum=False, length=20, validate_strings=True),
        default=Visibility.public,
    )
    timezone: Mapped[str] = mapped_column(String(64), default="Europe/Istanbul")
    # A key the creation form carries, so that a double-submitted form creates one campaign.
    creation_key: Mapped[str | None] = mapped_column(String(64), unique=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    themes: Mapped[list[Theme]] = relationship(
        back_populates="campaign", order_by="Theme.position, Theme.id"
    )
    created_by: Mapped[User | None] = relationship()

    def phase(self, now: datetime) -> Phase:
        if now < self.submission_opens_at:
            return Phase.upcoming
        if now < self.submission_closes_at:
            return Phase.submission
        if now < self.voting_opens_at:
            return Phase.review
        if now < self.voting_closes_at:
            return Phase.voting
        return Phase.closed

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def can_view(self, user: Any) -> bool:
        if self.visibility == Visibility.public:
            return True
        return bool(getattr(user, "is_authenticated", False) and user.is_active)

    def can_manage(self, user: Any) -> bool:
        return can(user, Permission.manage_campaigns)

    def __repr__(self) -> str:
        return f"<Campaign {self.slug}>"


class Theme(db.Model):
    __tablename__ = "themes"

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id"), index=True)
    name_tr: Mapped[str] = mapped_column(String(120))
    name_en: Mapped[str] = mapped_column(String(120), default="")
    description_tr: Mapped[str] = mapped_column(Text, default="")
    description_en: Mapped[str] = mapped_column(Text, default="")
    colour: Mapped[str] = mapped_column(String(7), default="#6b3fa0")
    position: Mapped[int] = mapped_column(default=0)
    archived_at: Mapped[datetime | None] = mapped_column()

    campaign: Mapped[Campaign] = relationship(back_populates="themes")

    def name(self, locale: str) -> str:
        return self.name_en if locale == "en" and self.name_en else self.name_tr

    def description(self, locale: str) -> str:
        return (
            self.description_en if locale == "en" and self.description_en else self.description_tr
        )

    def __repr__(self) -> str:
        return f"<Theme {self.id} {self.name_tr!r}>"

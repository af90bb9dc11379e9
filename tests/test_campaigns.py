"""Campaigns: phases, windows in the campaign's time zone, templates, the form, editing,
closing a phase early, visibility and who may manage campaigns."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo

import pytest
from flask_babel import force_locale, gettext
from sqlalchemy import func, select

from auth.errors import DomainError
from auth.models import AuditEntry
from extensions import db
from proposals.campaigns import (
    TEMPLATES,
    CampaignData,
    advance_phase,
    create_campaign,
    to_local,
    to_utc,
    window_errors,
)
from proposals.models import Campaign, Phase, Theme, Visibility
from tests.dom import page

ISTANBUL = ZoneInfo("Europe/Istanbul")

MSG_SUBMISSION_ORDER = "The submission window must close after it opens."
MSG_VOTING_ORDER = "The voting window must close after it opens."
MSG_VOTING_BEFORE_SUBMISSION = "Voting cannot open before the submission window closes."
MSG_VOTES = "Between %(low)d and %(high)d votes."


def shown(msgid: str, locale: str = "tr", **kwargs: Any) -> str:
    """The message as a page in ``locale`` shows it (the catalogue's text, or the msgid)."""
    with force_locale(locale):
        return gettext(msgid, **kwargs)


def calendar(**overrides: datetime) -> Campaign:
    """An unsaved campaign with windows in naive UTC."""
    values = {
        "submission_opens_at": datetime(2026, 10, 1, 6, 0),
        "submission_closes_at": datetime(2026, 10, 20, 20, 59),
        "voting_opens_at": datetime(2026, 10, 22, 6, 0),
        "voting_closes_at": datetime(2026, 11, 1, 20, 59),
    }
    values.update(overrides)
    return Campaign(slug="x", title="x", awareness_day=date(2026, 11, 25), **values)


def count(model: type) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def campaign_by_slug(slug: str) -> Campaign:
    db.session.expire_all()
    found = db.session.scalar(select(Campaign).where(Campaign.slug == slug))
    assert found is not None, slug
    return found


def audit(action: str) -> list[AuditEntry]:
    db.session.expire_all()
    return list(
        db.session.scalars(
            select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id)
        )
    )


def form_data(**overrides: str) -> dict[str, str]:
    """A valid campaign form as a browser sends it (local Istanbul wall-clock times)."""
    data = {
        "title": "Mahalle buluşmaları",
        "description": "Kısa bir **açıklama**.",
        "awareness_day": "2026-11-25",
        "submission_opens_at": "2026-10-01T09:00",
        "submission_closes_at": "2026-10-20T23:59",
        "voting_opens_at": "2026-10-22T09:00",
        "voting_closes_at": "2026-11-01T23:59",
        "votes_per_organization": "3",
        "visibility": "public",
        "themes": "Kurumlar arası koordinasyon | Inter-agency coordination\nEşitlik eğitimi",
        "creation_key": "",
    }
    data.update(overrides)
    return data


def facts(doc: Any) -> dict[str, str]:
    """The campaign's facts list, label → value."""
    dl = doc.one("dl", class_="facts")
    labels = [dt.text for dt in dl.find_all("dt")]
    values = [dd.text for dd in dl.find_all("dd")]
    assert len(labels) == len(values)
    return dict(zip(labels, values, strict=True))


def location_path(response: Any) -> str:
    return urlsplit(response.headers["Location"]).path


def assert_login_redirect(response: Any, path: str) -> None:
    assert response.status_code == 302
    target = urlsplit(response.headers["Location"])
    assert target.path == "/login"
    assert parse_qs(target.query).get("next") == [path]


# --- phases ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("now", "expected"),
    [
        (datetime(2026, 9, 1), Phase.upcoming),
        (datetime(2026, 10, 10), Phase.submission),
        (datetime(2026, 10, 21), Phase.review),
        (datetime(2026, 10, 25), Phase.voting),
        (datetime(2026, 12, 1), Phase.closed),
    ],
)
def test_phase_inside_each_window(now: datetime, expected: Phase) -> None:
    assert calendar().phase(now) is expected


SECOND = timedelta(seconds=1)


@pytest.mark.parametrize(
    ("boundary", "before", "at", "after"),
    [
        ("submission_opens_at", Phase.upcoming, Phase.submission, Phase.submission),
        ("submission_closes_at", Phase.submission, Phase.review, Phase.review),
        ("voting_opens_at", Phase.review, Phase.voting, Phase.voting),
        ("voting_closes_at", Phase.voting, Phase.closed, Phase.closed),
    ],
)
def test_phase_at_the_exact_boundaries(
    boundary: str, before: Phase, at: Phase, after: Phase
) -> None:
    campaign = calendar()
    moment = getattr(campaign, boundary)
    assert campaign.phase(moment - SECOND) is before
    assert campaign.phase(moment) is at  # a window is open up to, not including, its close
    assert campaign.phase(moment + SECOND) is after


def test_voting_may_open_the_moment_submission_closes() -> None:
    moment = datetime(2026, 10, 21, 9, 0)
    campaign = calendar(submission_closes_at=moment, voting_opens_at=moment)
    assert campaign.phase(moment - SECOND) is Phase.submission
    assert campaign.phase(moment) is Phase.voting


def test_istanbul_wall_clock_is_stored_as_utc() -> None:
    closing = datetime(2026, 11, 20, 23, 59)
    assert to_utc(closing, ISTANBUL) == datetime(2026, 11, 20, 20, 59)
    assert to_local(datetime(2026, 11, 20, 20, 59), ISTANBUL) == closing
    # Across midnight: 01:30 on the 26th in İstanbul is still the 25th in UTC.
    assert to_utc(datetime(2026, 11, 26, 1, 30), ISTANBUL) == datetime(2026, 11, 25, 22, 30)
    assert to_local(datetime(2026, 11, 25, 22, 30), ISTANBUL) == datetime(2026, 11, 26, 1, 30)
    # Naive in, naive out: the database keeps no zone.
    assert to_utc(closing, ISTANBUL).tzinfo is None
    assert to_local(closing, ISTANBUL).tzinfo is None


def test_a_window_closing_at_2359_istanbul_closes_at_2059_utc() -> None:
    closes = to_utc(datetime(2026, 10, 20, 23, 59), ISTANBUL)
    campaign = calendar(submission_closes_at=closes)
    assert campaign.phase(datetime(2026, 10, 20, 20, 58, 59)) is Phase.submission
    assert campaign.phase(datetime(2026, 10, 20, 20, 59, 0)) is Phase.review
    assert campaign.phase(datetime(2026, 10, 20, 20, 59, 1)) is Phase.review
    # 21:30 UTC is already the next day in İstanbul, long after 23:59 local.
    assert campaign.phase(datetime(2026, 10, 20, 21, 30)) is Phase.review


def test_the_create_form_takes_istanbul_times_and_stores_utc(
    client, auth, organizer, clock
) -> None:
    auth.login(organizer)
    response = client.post("/campaigns/new", data=form_data())
    assert response.status_code == 303
    stored = campaign_by_slug(location_path(response).rsplit("/", 1)[1])
    assert stored.timezone == "Europe/Istanbul"
    assert stored.submission_opens_at == datetime(2026, 10, 1, 6, 0)
    assert stored.submission_closes_at == datetime(2026, 10, 20, 20, 59)
    assert stored.voting_opens_at == datetime(2026, 10, 22, 6, 0)
    assert stored.voting_closes_at == datetime(2026, 11, 1, 20, 59)

    # A visitor sees the phase change at 23:59 İstanbul time, not at 23:59 UTC.
    path = location_path(response)
    clock.now = datetime(2026, 10, 20, 20, 58, 59)
    assert page(client.get(path)).find("span", class_="badge-phase-submission") is not None
    clock.now = datetime(2026, 10, 20, 20, 59, 1)
    assert page(client.get(path)).find("span", class_="badge-phase-review") is not None
    assert page(client.get(path)).find("span", class_="badge-phase-submission") is None


def test_the_campaign_page_shows_the_calendar_in_istanbul_time(client, make_campaign) -> None:
    campaign = make_campaign(
        submission_opens_at=datetime(2026, 9, 30, 6, 0),
        submission_closes_at=datetime(2026, 10, 20, 20, 59),
        voting_opens_at=datetime(2026, 10, 22, 6, 0),
        voting_closes_at=datetime(2026, 11, 1, 20, 59),
    )
    doc = page(client.get(f"/campaigns/{campaign.slug}"))
    calendar_facts = facts(doc)
    proposals = calendar_facts[shown("Proposals")]
    voting = calendar_facts[shown("Voting")]
    assert "09:00" in proposals
    assert "23:59" in proposals
    assert "20:59" not in proposals
    assert "23:59" in voting
    assert "Europe/Istanbul" in doc.one("section", aria_labelledby="calendar").text


# --- window rules -----------------------------------------------------------------------


def windows(**overrides: datetime | None) -> dict[str, datetime | None]:
    values: dict[str, datetime | None] = {
        "submission_opens_at": datetime(2026, 10, 1, 9),
        "submission_closes_at": datetime(2026, 10, 20, 9),
        "voting_opens_at": datetime(2026, 10, 22, 9),
        "voting_closes_at": datetime(2026, 11, 1, 9),
    }
    values.update(overrides)
    return values


def test_window_errors_accept_a_sound_calendar() -> None:
    assert window_errors(windows()) == {}
    # Voting opening the very moment submissions close is fine.
    assert window_errors(windows(voting_opens_at=datetime(2026, 10, 20, 9))) == {}


def test_window_errors_refuse_voting_before_submission_closes() -> None:
    errors = window_errors(windows(voting_opens_at=datetime(2026, 10, 19, 9)))
    assert errors == {"voting_opens_at": shown(MSG_VOTING_BEFORE_SUBMISSION)}


@pytest.mark.parametrize("closes", [datetime(2026, 9, 30, 9), datetime(2026, 10, 1, 9)])
def test_window_errors_refuse_a_submission_window_closing_before_it_opens(
    closes: datetime,
) -> None:
    errors = window_errors(windows(submission_closes_at=closes))
    assert errors == {"submission_closes_at": shown(MSG_SUBMISSION_ORDER)}


@pytest.mark.parametrize("closes", [datetime(2026, 10, 21, 9), datetime(2026, 10, 22, 9)])
def test_window_errors_refuse_a_voting_window_closing_before_it_opens(closes: datetime) -> None:
    errors = window_errors(windows(voting_closes_at=closes))
    assert errors == {"voting_closes_at": shown(MSG_VOTING_ORDER)}


def test_window_errors_leave_missing_moments_to_the_required_check() -> None:
    assert window_errors(windows(submission_closes_at=None, voting_opens_at=None)) == {}


def campaign_data(**overrides: Any) -> CampaignData:
    values: dict[str, Any] = {
        "title": "Deneme",
        "description": "",
        "awareness_day": date(2026, 11, 25),
        **windows(),
        "votes_per_organization": 3,
        "visibility": Visibility.public,
    }
    values.update(overrides)
    return CampaignData(**values)


@pytest.mark.parametrize("votes", [0, 21, -3])
def test_create_campaign_refuses_votes_outside_1_to_20(organizer, votes: int) -> None:
    with pytest.raises(DomainError) as refused:
        create_campaign(
            organizer,
            campaign_data(votes_per_organization=votes),
            themes=[],
            timezone="Europe/Istanbul",
        )
    assert refused.value.field == "votes_per_organization"
    assert refused.value.message == shown(MSG_VOTES, low=1, high=20)
    db.session.rollback()
    assert count(Campaign) == 0


def test_create_campaign_refuses_a_bad_calendar_by_field(organizer) -> None:
    data = campaign_data(voting_opens_at=datetime(2026, 10, 2, 9))
    with pytest.raises(DomainError) as refused:
        create_campaign(organizer, data, themes=[], timezone="Europe/Istanbul")
    assert refused.value.field == "voting_opens_at"
    db.session.rollback()
    assert count(Campaign) == 0


# --- the form: errors next to their field, typed values kept -----------------------------

DATE_FIELDS = (
    "awareness_day",
    "submission_opens_at",
    "submission_closes_at",
    "voting_opens_at",
    "voting_closes_at",
)


def assert_error_only_on(doc: Any, field: str, message: str) -> None:
    error = doc.one("p", id=f"{field}-error")
    assert error.text == message
    assert doc.one(id=field).get("aria-invalid") == "true"
    for other in ("title", "votes_per_organization", *DATE_FIELDS):
        if other != field:
            assert doc.find(id=f"{other}-error") is None, other
            assert doc.one(id=other).get("aria-invalid") is None, other
    summary = doc.one("div", class_="error-summary")
    assert summary.get("role") == "alert"
    assert summary.find("a", href=f"#{field}") is not None


def assert_values_kept(doc: Any, sent: dict[str, str]) -> None:
    values = doc.form_with("title").form_values()
    for name in ("title", "description", *DATE_FIELDS, "votes_per_organization", "themes"):
        assert values[name] == sent[name], name


@pytest.mark.parametrize(
    ("overrides", "field", "msgid"),
    [
        (
            {"voting_opens_at": "2026-10-15T09:00"},
            "voting_opens_at",
            MSG_VOTING_BEFORE_SUBMISSION,
        ),
        (
            {"submission_closes_at": "2026-09-30T23:59"},
            "submission_closes_at",
            MSG_SUBMISSION_ORDER,
        ),
        (
            {"voting_closes_at": "2026-10-21T23:59"},
            "voting_closes_at",
            MSG_VOTING_ORDER,
        ),
    ],
)
def test_new_campaign_form_shows_a_calendar_error_next_to_its_field(
    client, auth, organizer, overrides: dict[str, str], field: str, msgid: str
) -> None:
    auth.login(organizer)
    sent = form_data(
        title="Başlık <korunur> & “tırnak”",
        description="Satır bir\nSatır **iki** & <üç>",
        **overrides,
    )
    response = client.post("/campaigns/new", data=sent)
    assert response.status_code == 200
    doc = page(response)
    assert_error_only_on(doc, field, shown(msgid))
    assert_values_kept(doc, sent)
    assert count(Campaign) == 0


@pytest.mark.parametrize("votes", ["0", "21", "-1", "100"])
def test_new_campaign_form_refuses_votes_outside_1_to_20(client, auth, organizer, votes) -> None:
    auth.login(organizer)
    sent = form_data(votes_per_organization=votes)
    response = client.post("/campaigns/new", data=sent)
    assert response.status_code == 200
    doc = page(response)
    assert_error_only_on(doc, "votes_per_organization", shown(MSG_VOTES, low=1, high=20))
    assert_values_kept(doc, sent)
    assert count(Campaign) == 0


@pytest.mark.parametrize("votes", ["1", "20"])
def test_new_campaign_form_accepts_1_and_20_votes(client, auth, organizer, votes) -> None:
    auth.login(organizer)
    response = client.post("/campaigns/new", data=form_data(votes_per_organization=votes))
    assert response.status_code == 303
    assert campaign_by_slug(location_path(response).rsplit("/", 1)[1]).votes_per_organization == (
        int(votes)
    )


def test_edit_form_shows_a_calendar_error_and_changes_nothing(
    client, auth, organizer, make_campaign
) -> None:
    campaign = make_campaign()
    closes_before = campaign.voting_closes_at
    auth.login(organizer)
    sent = page(client.get(f"/campaigns/{campaign.slug}/edit")).form_with("title").form_values()
    sent["voting_closes_at"] = sent["voting_opens_at"]
    sent["title"] = "Yeni başlık"
    response = client.post(f"/campaigns/{campaign.slug}/edit", data=sent)
    assert response.status_code == 200
    doc = page(response)
    assert doc.one("p", id="voting_closes_at-error").text == shown(MSG_VOTING_ORDER)
    assert doc.form_with("title").form_values()["title"] == "Yeni başlık"
    stored = campaign_by_slug(campaign.slug)
    assert stored.title == "25 Kasım deneme kampanyası"
    assert stored.voting_closes_at == closes_before
    assert audit("campaign.update") == []


# --- templates --------------------------------------------------------------------------


def test_new_campaign_offers_the_three_templates(client, auth, organizer) -> None:
    auth.login(organizer)
    response = client.get("/campaigns/new")
    assert response.status_code == 200
    links = {
        urlsplit(a.get("href")).query: a.text
        for a in page(response).one("main").find_all("a")
        if urlsplit(a.get("href") or "").path == "/campaigns/new"
    }
    assert links == {
        "template=25-kasim": str(TEMPLATES["25-kasim"].label),
        "template=8-mart": str(TEMPLATES["8-mart"].label),
        "template=blank": str(TEMPLATES["blank"].label),
    }
    # Nothing is pre-filled before a template is chosen.
    assert page(response).find(name="title") is None


def test_the_25_kasim_template_prefills_the_form(client, auth, organizer, clock) -> None:
    # 1 October 2026: 25 November 2026 is only 55 days away, so the template aims at 2027.
    assert clock.now == datetime(2026, 10, 1, 9, 0)
    auth.login(organizer)
    response = client.get("/campaigns/new?template=25-kasim")
    assert response.status_code == 200
    values = page(response).form_with("title").form_values()
    template = TEMPLATES["25-kasim"]
    assert values["title"] == str(template.title) % {"year": 2027}
    assert "2027" in values["title"]
    assert values["description"] == str(template.description)
    assert values["description"].strip()
    assert values["themes"].splitlines() == [
        "Kurumlar arası koordinasyon | Inter-agency coordination",
        "Erişilebilir destek mekanizmaları | Accessible support mechanisms",
        "Kadınların sosyal hayata katılımı | Women's participation in social life",
    ]
    assert values["awareness_day"] == "2027-11-25"
    assert values["submission_opens_at"] == "2026-10-01T09:00"
    assert values["submission_closes_at"] == "2027-10-21T23:59"
    assert values["voting_opens_at"] == "2027-10-28T09:00"
    assert values["voting_closes_at"] == "2027-11-04T23:59"
    assert values["votes_per_organization"] == "3"
    assert values["visibility"] == "public"
    assert len(values["creation_key"]) >= 20


@pytest.mark.parametrize(
    ("today", "year"),
    [
        (date(2026, 9, 1), 2026),  # 85 days ahead
        (date(2026, 9, 26), 2026),  # exactly 60 days ahead
        (date(2026, 9, 27), 2027),  # 59 days ahead: too close
        (date(2026, 11, 26), 2027),  # the day has passed
    ],
)
def test_the_next_awareness_day_is_at_least_60_days_away(today: date, year: int) -> None:
    assert TEMPLATES["25-kasim"].next_day(today) == date(year, 11, 25)


def test_the_8_mart_and_blank_templates_pick_their_days() -> None:
    assert TEMPLATES["8-mart"].next_day(date(2026, 10, 1)) == date(2027, 3, 8)
    assert TEMPLATES["8-mart"].next_day(date(2027, 1, 10)) == date(2028, 3, 8)
    assert TEMPLATES["blank"].next_day(date(2026, 10, 1)) == date(2026, 12, 30)


def test_the_template_title_follows_the_clock(client, auth, organizer, clock) -> None:
    clock.now = datetime(2026, 9, 1, 9, 0)
    auth.login(organizer)
    values = page(client.get("/campaigns/new?template=25-kasim")).form_with("title").form_values()
    assert "2026" in values["title"]
    assert values["awareness_day"] == "2026-11-25"


def test_the_template_uses_the_istanbul_date_late_in_the_evening(
    client, auth, organizer, clock
) -> None:
    # 22:30 UTC on 26 September is already 27 September in İstanbul: 59 days before the day.
    clock.now = datetime(2026, 9, 26, 22, 30)
    auth.login(organizer)
    values = page(client.get("/campaigns/new?template=25-kasim")).form_with("title").form_values()
    assert values["submission_opens_at"] == "2026-09-27T09:00"
    assert values["awareness_day"] == "2027-11-25"


@pytest.mark.parametrize("key", ["25-kasim", "8-mart", "blank"])
def test_creating_a_campaign_from_each_template(client, auth, organizer, key: str) -> None:
    auth.login(organizer)
    form = page(client.get(f"/campaigns/new?template={key}")).form_with("title")
    sent = form.form_values()
    template = TEMPLATES[key]
    if key == "blank":
        assert sent["title"] == ""
        assert sent["themes"] == ""
        sent["title"] = "Mahalle buluşmaları"
        sent["themes"] = "Komşuluk | Neighbourliness\nGüvenli sokaklar"
        expected_themes = [("Komşuluk", "Neighbourliness"), ("Güvenli sokaklar", "")]
    else:
        expected_themes = [(seed.name_tr, seed.name_en) for seed in template.themes]

    response = client.post(f"/campaigns/new?template={key}", data=sent)
    assert response.status_code == 303
    slug = location_path(response).removeprefix("/campaigns/")
    campaign = campaign_by_slug(slug)
    assert campaign.title == sent["title"]
    assert campaign.created_by_id == organizer.id
    assert campaign.creation_key == sent["creation_key"]
    assert [(t.name_tr, t.name_en) for t in campaign.themes] == expected_themes
    assert [t.position for t in campaign.themes] == list(range(len(expected_themes)))

    entries = audit("campaign.create")
    assert len(entries) == 1
    assert entries[0].actor_id == organizer.id
    assert entries[0].target_type == "Campaign"
    assert entries[0].target_id == campaign.id
    assert entries[0].after["title"] == campaign.title
    assert entries[0].after["votes_per_organization"] == 3

    shown_page = client.get(location_path(response))
    assert shown_page.status_code == 200
    doc = page(shown_page)
    assert doc.one("h1").text == campaign.title
    assert doc.one("div", role="status").find("p", class_="flash-success") is not None
    chips = [chip.text for chip in doc.find_all("span", class_="theme-chip")]
    assert chips == [name_tr for name_tr, _ in expected_themes]


def test_theme_names_follow_the_language(client, auth, make_user, make_campaign) -> None:
    from auth.models import Role

    campaign = make_campaign()
    campaign.themes.append(Theme(name_tr="Eşitlik eğitimi", name_en="Education for equality"))
    campaign.themes.append(Theme(name_tr="Yalnız Türkçe", name_en="", position=1))
    db.session.commit()
    english = make_user(Role.participant, locale="en")
    auth.login(english)
    chips = [
        c.text
        for c in page(client.get(f"/campaigns/{campaign.slug}")).find_all(
            "span", class_="theme-chip"
        )
    ]
    assert chips == ["Education for equality", "Yalnız Türkçe"]


def test_the_same_form_posted_twice_creates_one_campaign(client, auth, organizer) -> None:
    auth.login(organizer)
    sent = page(client.get("/campaigns/new?template=8-mart")).form_with("title").form_values()
    first = client.post("/campaigns/new?template=8-mart", data=sent)
    second = client.post("/campaigns/new?template=8-mart", data=sent)
    assert first.status_code == second.status_code == 303
    assert first.headers["Location"] == second.headers["Location"]
    assert count(Campaign) == 1
    assert count(Theme) == 3
    assert len(audit("campaign.create")) == 1


def test_two_campaigns_with_the_same_title_get_distinct_addresses(client, auth, organizer) -> None:
    auth.login(organizer)
    first = client.post("/campaigns/new", data=form_data(creation_key="a" * 32))
    second = client.post("/campaigns/new", data=form_data(creation_key="b" * 32))
    assert first.status_code == second.status_code == 303
    assert first.headers["Location"] != second.headers["Location"]
    assert count(Campaign) == 2
    assert client.get(location_path(second)).status_code == 200


@pytest.mark.parametrize("title", ["New", "new!"])
def test_a_campaign_titled_new_gets_a_page_of_its_own(client, auth, organizer, title) -> None:
    # "/campaigns/new" is the creation form; a campaign must not be given that address.
    auth.login(organizer)
    response = client.post("/campaigns/new", data=form_data(title=title))
    assert response.status_code == 303
    shown_page = client.get(location_path(response))
    assert shown_page.status_code == 200
    assert page(shown_page).one("h1").text == title


# --- editing -----------------------------------------------------------------------------


def test_edit_form_shows_istanbul_times_and_saving_it_unchanged_moves_nothing(
    client, auth, organizer, make_campaign
) -> None:
    campaign = make_campaign(
        submission_opens_at=datetime(2026, 9, 30, 6, 0),
        submission_closes_at=datetime(2026, 10, 20, 20, 59),
        voting_opens_at=datetime(2026, 10, 22, 6, 0),
        voting_closes_at=datetime(2026, 11, 1, 20, 59),
    )
    auth.login(organizer)
    values = page(client.get(f"/campaigns/{campaign.slug}/edit")).form_with("title").form_values()
    assert values["submission_opens_at"] == "2026-09-30T09:00"
    assert values["submission_closes_at"] == "2026-10-20T23:59"
    assert values["voting_opens_at"] == "2026-10-22T09:00"
    assert values["voting_closes_at"] == "2026-11-01T23:59"
    assert client.post(f"/campaigns/{campaign.slug}/edit", data=values).status_code == 303
    stored = campaign_by_slug(campaign.slug)
    assert stored.submission_opens_at == datetime(2026, 9, 30, 6, 0)
    assert stored.submission_closes_at == datetime(2026, 10, 20, 20, 59)
    assert stored.voting_opens_at == datetime(2026, 10, 22, 6, 0)
    assert stored.voting_closes_at == datetime(2026, 11, 1, 20, 59)


def test_extending_a_window_and_changing_votes_is_audited(
    client, auth, organizer, make_campaign
) -> None:
    campaign = make_campaign(
        submission_opens_at=datetime(2026, 9, 30, 6, 0),
        submission_closes_at=datetime(2026, 10, 10, 20, 59),
        voting_opens_at=datetime(2026, 10, 12, 6, 0),
        voting_closes_at=datetime(2026, 10, 20, 20, 59),
    )
    auth.login(organizer)
    sent = page(client.get(f"/campaigns/{campaign.slug}/edit")).form_with("title").form_values()
    sent["voting_closes_at"] = "2026-10-27T23:59"  # a week longer
    sent["votes_per_organization"] = "5"
    response = client.post(f"/campaigns/{campaign.slug}/edit", data=sent)
    assert response.status_code == 303
    assert location_path(response) == f"/campaigns/{campaign.slug}"

    stored = campaign_by_slug(campaign.slug)
    assert stored.voting_closes_at == datetime(2026, 10, 27, 20, 59)
    assert stored.votes_per_organization == 5
    assert stored.submission_closes_at == datetime(2026, 10, 10, 20, 59)

    (entry,) = audit("campaign.update")
    assert entry.actor_id == organizer.id
    assert entry.target_id == campaign.id
    assert entry.before["voting_closes_at"] == "2026-10-20T20:59:00"
    assert entry.after["voting_closes_at"] == "2026-10-27T20:59:00"
    assert entry.before["votes_per_organization"] == 3
    assert entry.after["votes_per_organization"] == 5
    assert entry.before["submission_closes_at"] == entry.after["submission_closes_at"]

    doc = page(client.get(f"/campaigns/{campaign.slug}"))
    assert facts(doc)[shown("Votes per organisation")] == "5"


# --- closing a phase early ---------------------------------------------------------------


def test_closing_each_phase_early_until_the_campaign_is_closed(
    client, auth, organizer, make_campaign, clock
) -> None:
    campaign = make_campaign()
    path = f"/campaigns/{campaign.slug}"
    auth.login(organizer)
    assert campaign_by_slug(campaign.slug).phase(clock.now) is Phase.submission

    for expected in (Phase.review, Phase.voting, Phase.closed):
        clock.advance(hours=1)
        response = client.post(f"{path}/advance")
        assert response.status_code == 303
        assert location_path(response) == path
        assert campaign_by_slug(campaign.slug).phase(clock.now) is expected
        doc = page(client.get(path))
        assert doc.find("span", class_=f"badge-phase-{expected.value}") is not None

    stored = campaign_by_slug(campaign.slug)
    start = datetime(2026, 10, 1, 9, 0)
    assert stored.submission_closes_at == start + timedelta(hours=1)
    assert stored.voting_opens_at == start + timedelta(hours=2)
    assert stored.voting_closes_at == start + timedelta(hours=3)
    entries = audit("campaign.advance_phase")
    assert len(entries) == 3
    assert entries[0].before["submission_closes_at"] == "2026-10-11T09:00:00"
    assert entries[0].after["submission_closes_at"] == "2026-10-01T10:00:00"

    # Once closed there is no button to press, and pressing anyway is refused politely.
    doc = page(client.get(path))
    assert doc.find("form", action=f"{path}/advance") is None
    clock.advance(hours=1)
    response = client.post(f"{path}/advance", follow_redirects=True)
    assert response.status_code == 200
    flashes = page(response).one("div", role="status")
    assert flashes.one("p", class_="flash-error").text == shown("This campaign is closed already.")
    assert len(audit("campaign.advance_phase")) == 3
    assert campaign_by_slug(campaign.slug).voting_closes_at == start + timedelta(hours=3)


def test_opening_an_upcoming_campaign_early(organizer, make_campaign, clock) -> None:
    campaign = make_campaign(submission_opens_at=clock.now + timedelta(days=2))
    assert campaign.phase(clock.now) is Phase.upcoming
    assert advance_phase(campaign, organizer, clock.now) is Phase.submission
    assert campaign.submission_opens_at == clock.now


def test_advancing_a_closed_campaign_is_refused(organizer, make_campaign, clock) -> None:
    campaign = make_campaign(
        submission_opens_at=clock.now - timedelta(days=30),
        submission_closes_at=clock.now - timedelta(days=20),
        voting_opens_at=clock.now - timedelta(days=10),
        voting_closes_at=clock.now - timedelta(days=1),
    )
    with pytest.raises(DomainError) as refused:
        advance_phase(campaign, organizer, clock.now)
    assert refused.value.message == shown("This campaign is closed already.")


def test_the_advance_button_names_what_it_does(client, auth, organizer, make_campaign) -> None:
    campaign = make_campaign()
    auth.login(organizer)
    doc = page(client.get(f"/campaigns/{campaign.slug}"))
    form = doc.one("form", action=f"/campaigns/{campaign.slug}/advance")
    assert form.one("button").text == shown("Close proposals now")


# --- visibility ----------------------------------------------------------------------------


def index_titles(client) -> list[str]:
    return [h.text for h in page(client.get("/")).find_all("h2", class_="card-title")]


def test_a_members_only_campaign_is_hidden_from_anonymous_visitors(client, make_campaign) -> None:
    make_campaign(title="Açık kampanya")
    hidden = make_campaign(title="Üyelere özel kampanya", visibility=Visibility.members)
    assert index_titles(client) == ["Açık kampanya"]
    response = client.get(f"/campaigns/{hidden.slug}")
    assert_login_redirect(response, f"/campaigns/{hidden.slug}")


def test_signed_in_participants_see_a_members_only_campaign(
    client, auth, rep_a, make_campaign
) -> None:
    make_campaign(title="Açık kampanya")
    hidden = make_campaign(title="Üyelere özel kampanya", visibility=Visibility.members)
    auth.login(rep_a)
    assert sorted(index_titles(client)) == ["Açık kampanya", "Üyelere özel kampanya"]
    response = client.get(f"/campaigns/{hidden.slug}")
    assert response.status_code == 200
    assert page(response).one("h1").text == "Üyelere özel kampanya"
    # After logging out it is hidden again.
    auth.logout()
    assert index_titles(client) == ["Açık kampanya"]
    assert client.get(f"/campaigns/{hidden.slug}").status_code == 302


def test_a_public_campaign_is_readable_by_anonymous_visitors(client, make_campaign) -> None:
    public = make_campaign(title="Herkese açık kampanya", description="Merhaba *dünya*")
    assert index_titles(client) == ["Herkese açık kampanya"]
    response = client.get(f"/campaigns/{public.slug}")
    assert response.status_code == 200
    doc = page(response)
    assert doc.one("h1").text == "Herkese açık kampanya"
    assert doc.one("div", class_="prose").find("em").text == "dünya"
    # No management tools for visitors.
    assert doc.find("form", action=f"/campaigns/{public.slug}/advance") is None
    assert doc.find("a", href=f"/campaigns/{public.slug}/edit") is None


# --- who may manage campaigns ---------------------------------------------------------------


def manage_requests(slug: str) -> list[tuple[str, str, dict[str, str]]]:
    return [
        ("GET", "/campaigns/new", {}),
        ("GET", "/campaigns/new?template=25-kasim", {}),
        ("POST", "/campaigns/new", form_data()),
        ("GET", f"/campaigns/{slug}/edit", {}),
        ("POST", f"/campaigns/{slug}/edit", form_data()),
        ("POST", f"/campaigns/{slug}/advance", {}),
    ]


@pytest.mark.parametrize("who", ["participant", "moderator"])
def test_participants_and_moderators_may_not_manage_campaigns(
    client, auth, rep_a, moderator, make_campaign, clock, who: str
) -> None:
    campaign = make_campaign()
    before = (campaign.title, campaign.submission_closes_at)
    auth.login(rep_a if who == "participant" else moderator)
    for method, path, data in manage_requests(campaign.slug):
        response = client.open(path, method=method, data=data)
        assert response.status_code == 403, (method, path)
        assert page(response).one("html").get("lang") == "tr"
    stored = campaign_by_slug(campaign.slug)
    assert (stored.title, stored.submission_closes_at) == before
    assert count(Campaign) == 1
    assert count(AuditEntry) == 0
    # The campaign page itself offers them no management tools.
    doc = page(client.get(f"/campaigns/{campaign.slug}"))
    assert doc.find("section", class_="manage") is None


def test_anonymous_visitors_are_sent_to_log_in(client, make_campaign) -> None:
    campaign = make_campaign()
    for method, path, data in manage_requests(campaign.slug):
        response = client.open(path, method=method, data=data)
        assert_login_redirect(response, path)
    assert count(Campaign) == 1


def test_organisers_see_the_management_tools(client, auth, organizer, make_campaign) -> None:
    campaign = make_campaign()
    auth.login(organizer)
    doc = page(client.get(f"/campaigns/{campaign.slug}"))
    manage = doc.one("section", class_="manage")
    assert manage.find("a", href=f"/campaigns/{campaign.slug}/edit") is not None
    assert manage.find("form", action=f"/campaigns/{campaign.slug}/advance") is not None
    assert page(client.get("/")).find("a", href="/campaigns/new") is not None


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/campaigns/yok-boyle-bir-kampanya"),
        ("GET", "/campaigns/yok-boyle-bir-kampanya/edit"),
        ("POST", "/campaigns/yok-boyle-bir-kampanya/edit"),
        ("POST", "/campaigns/yok-boyle-bir-kampanya/advance"),
    ],
)
def test_an_unknown_campaign_is_404(client, auth, organizer, method: str, path: str) -> None:
    auth.login(organizer)
    assert client.open(path, method=method, data=form_data()).status_code == 404


def test_an_unknown_campaign_is_404_for_anonymous_visitors(client) -> None:
    assert client.get("/campaigns/yok-boyle-bir-kampanya").status_code == 404

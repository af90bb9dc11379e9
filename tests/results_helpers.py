"""A campaign that went through the whole process, for the tests of results and exports.

Proposals are written with ``submission.save_draft`` + ``submit`` while submissions are open,
and votes cast with ``voting.set_points`` while voting is open, moving the test clock between
the phases. Import the fixture into a test module to use it.

The outcome (approval voting, three votes per organisation; A–F active, G deactivated):

=====  =====================  ======  =====  =================  ==========
rank   proposal               author  votes  supporters         themes
=====  =====================  ======  =====  =================  ==========
1      Mor Bank               A       4      B, C, D, E         T1
2      Atölye (tied)          C       2      A, D               T1
2      Kermes (tied)          B       2      A, C               T1, T2
4      Sergi                  D       1      C                  T2
5      =SUM(A1:A2) Söyleşi    E       0                         (none)
=====  =====================  ======  =====  =================  ==========

"Mor Bank" has F as a confirmed partner, one comment and a budget of 15 000 TRY. Not in the
vote: a withdrawn proposal, a draft, a not-accepted and a merged one. Ballots: A 2, B 1,
C 3 (full), D 2, E 1, F none. Net points per day (Istanbul): 13 Oct 5, 14 Oct 2, 15 Oct 2
(the last two votes are cast at 22:30 UTC on 14 Oct, already 15 Oct in Istanbul).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import pytest

from auth.models import Organization, User
from extensions import db
from proposals import voting
from proposals.discussion import post_comment
from proposals.models import (
    ActivityType,
    Campaign,
    CommentKind,
    Proposal,
    ProposalState,
    Theme,
)
from proposals.submission import ProposalFields, decide_partnership, save_draft, submit, withdraw

DAY_1 = datetime(2026, 10, 13, 10, 0)  # voting opens 13 Oct 09:00 UTC (12:00 in Istanbul)
DAY_2 = datetime(2026, 10, 14, 10, 0)
LATE_DAY_2 = datetime(2026, 10, 14, 22, 30)  # 15 Oct 01:30 in Istanbul


@dataclass
class Voted:
    campaign: Campaign
    orgs: dict[str, Organization]
    reps: dict[str, User]
    proposals: dict[str, Proposal]
    themes: dict[str, Theme]


def write(campaign: Campaign, user: User, title: str, now: datetime, **fields: Any) -> Proposal:
    proposal = save_draft(
        campaign,
        user,
        ProposalFields(
            title=title,
            summary="Özet",
            description="Açıklama",
            activity_type=ActivityType.workshop,
            district="Konak",
            **fields,
        ),
        now,
    )
    submit(proposal, user, now)
    return proposal


def vote(proposal: Proposal, user: User, points: int, now: datetime) -> None:
    voting.set_points(proposal, user, points, now)
    db.session.commit()


@pytest.fixture
def voted(app, clock, make_campaign, make_org, make_user) -> Voted:
    clock.now = datetime(2026, 10, 1, 9, 0)
    campaign = make_campaign(slug="sonuc-kampanyasi", votes_per_organization=3)
    themes = {
        "T1": Theme(campaign=campaign, name_tr="Şiddetle mücadele", name_en="Ending violence",
                    colour="#b3261e", position=1),
        "T2": Theme(campaign=campaign, name_tr="Kadın emeği", name_en="Women's work",
                    colour="#1d6b52", position=2),
    }  # fmt: skip
    db.session.add_all(themes.values())
    names = {
        "A": "Karşıyaka Kadın Dayanışma Derneği",
        "B": "Bornova Kadın Emeği Kooperatifi",
        "C": "Buca Kadın Kültür Evi",
        "D": "Konak Kadın Sığınma Evi Gönüllüleri",
        "E": "@Ege Kadın Girişimi",
        "F": "Foça Kadın Kooperatifi",
        "G": "Kapanmış Dernek",
    }
    orgs = {key: make_org(name) for key, name in names.items()}
    orgs["G"].active = False
    reps = {key: make_user(organization=org) for key, org in orgs.items()}
    now = clock.now
    proposals = {
        "mor": write(campaign, reps["A"], "Mor Bank", now, estimated_budget=15000,
                     partner_ids=[orgs["F"].id]),
        "kermes": write(campaign, reps["B"], "Kermes", now),
        "atolye": write(campaign, reps["C"], "Atölye", now),
        "sergi": write(campaign, reps["D"], "Sergi", now),
        "soylesi": write(campaign, reps["E"], "=SUM(A1:A2) Söyleşi", now),
        "withdrawn": write(campaign, reps["A"], "Geri çekilen", now),
        "not_accepted": write(campaign, reps["B"], "Kabul edilmeyen", now),
        "merged": write(campaign, reps["C"], "Birleştirilen", now),
    }  # fmt: skip
    proposals["draft"] = save_draft(campaign, reps["D"], ProposalFields(title="Taslak öneri"), now)
    withdraw(proposals["withdrawn"], reps["A"], "Vazgeçtik", now)
    proposals["not_accepted"].state = ProposalState.not_accepted
    proposals["merged"].state = ProposalState.merged
    proposals["mor"].themes = [themes["T1"]]
    proposals["kermes"].themes = [themes["T1"], themes["T2"]]
    proposals["atolye"].themes = [themes["T1"]]
    proposals["sergi"].themes = [themes["T2"]]
    decide_partnership(proposals["mor"].partnerships[0], reps["F"], True, now)
    post_comment(proposals["mor"], reps["B"], "Çok güzel bir fikir", CommentKind.support, now)
    db.session.commit()

    p, r = proposals, reps
    clock.now = DAY_1
    for proposal, rep in [(p["mor"], r["B"]), (p["mor"], r["C"]), (p["kermes"], r["C"]),
                          (p["sergi"], r["C"]), (p["sergi"], r["A"])]:  # fmt: skip
        vote(proposal, rep, 1, DAY_1)
    clock.now = DAY_2
    vote(p["mor"], r["D"], 1, DAY_2)
    vote(p["atolye"], r["D"], 1, DAY_2)
    vote(p["sergi"], r["A"], 0, DAY_2)  # taken back
    vote(p["kermes"], r["A"], 1, DAY_2)
    clock.now = LATE_DAY_2
    vote(p["atolye"], r["A"], 1, LATE_DAY_2)
    vote(p["mor"], r["E"], 1, LATE_DAY_2)
    return Voted(campaign, orgs, reps, proposals, themes)


def close_voting(voted: Voted, clock: Any) -> None:
    clock.now = voted.campaign.voting_closes_at + timedelta(hours=1)

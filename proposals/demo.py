"""The demo consultation a newcomer sees after ``make run``.

Loading is idempotent: people, organisations and campaigns are looked up by
their natural keys (email, folded name, slug) and only what is missing is
added. Windows are set relative to the day of loading, so the demo is always
in the phase it describes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import select

from auth.errors import DomainError
from auth.invitations import CONSENT_VERSION
from auth.models import Organization, Role, User
from extensions import db
from proposals import demo_content, discussion, submission, voting
from proposals.campaigns import THEME_PALETTE, VAW_THEMES, ThemeSeed, slugify
from proposals.models import (
    ActivityType,
    Campaign,
    Comment,
    CommentKind,
    Proposal,
    ProposalState,
    Theme,
    Visibility,
)
from text import fold

DEMO_PASSWORD = "ortak-demo-2026"  # noqa: S105 - printed on purpose for the demo logins

# (organisation, district, description, [(representative, email local part)])
ORGANIZATIONS: list[tuple[str, str, str, list[str]]] = [
    (
        "Karşıyaka Kadın Dayanışma Derneği",
        "Karşıyaka",
        "Şiddete uğrayan kadınlara hukuki ve psikolojik danışmanlık veren gönüllü dernek.",
        ["Ayşe Yılmaz", "Zeynep Kaya"],
    ),
    (
        "Bornova Kadın Emeği Kooperatifi",
        "Bornova",
        "Kadınların üretimini ve ekonomik bağımsızlığını destekleyen kooperatif.",
        ["Fatma Demir"],
    ),
    (
        "Buca Kadın Danışma Merkezi Derneği",
        "Buca",
        "Mahalle düzeyinde danışma ve yönlendirme hizmeti.",
        ["Elif Şahin", "Hatice Çelik"],
    ),
    (
        "Konak Mor Dayanışma Ağı",
        "Konak",
        "Kadına yönelik şiddetle mücadelede gönüllü ağ.",
        ["Emine Yıldız"],
    ),
    (
        "Bayraklı Engelli Kadınlar Derneği",
        "Bayraklı",
        "Engelli kadınların destek hizmetlerine erişimi için çalışır.",
        ["Merve Aydın"],
    ),
    (
        "Çiğli Genç Kadınlar Platformu",
        "Çiğli",
        "Genç kadınların kent yaşamına katılımı.",
        ["Selin Öztürk", "Büşra Arslan"],
    ),
    (
        "Karabağlar Kadın Kültür Evi Derneği",
        "Karabağlar",
        "Kültür ve sanat yoluyla kadın dayanışması.",
        ["Gülşen Doğan"],
    ),
    (
        "Gaziemir Aile ve Kadın Destek Derneği",
        "Gaziemir",
        "Aile içi şiddete karşı önleyici çalışmalar.",
        ["Sevgi Kılıç"],
    ),
    (
        "Balçova Kadın Sağlığı Derneği",
        "Balçova",
        "Kadın sağlığı ve şiddetin sağlık boyutları üzerine eğitimler.",
        ["Derya Aslan"],
    ),
    (
        "Narlıdere Yaşlı Kadınlar Dayanışma Derneği",
        "Narlıdere",
        "Yaşlı kadınlara yönelik ihmal ve istismarla mücadele.",
        ["Nermin Koç"],
    ),
    (
        "Güzelbahçe Kadın Girişimciler Derneği",
        "Güzelbahçe",
        "Kadın girişimciliği ve ekonomik güçlenme.",
        ["Aslı Kurt"],
    ),
    (
        "Menemen Kırsal Kadın Derneği",
        "Menemen",
        "Kırsalda yaşayan kadınların hizmetlere erişimi.",
        ["Hülya Özdemir"],
    ),
    ("Torbalı Kadın Kooperatifi", "Torbalı", "Yerel üretim ve kadın istihdamı.", ["Songül Polat"]),
    (
        "Menderes Kadın Dayanışma Derneği",
        "Menderes",
        "Köylerde farkındalık çalışmaları.",
        ["Sibel Erdoğan"],
    ),
    (
        "Urla Kadın Sanatçılar Derneği",
        "Urla",
        "Sanatla toplumsal cinsiyet eşitliği.",
        ["İpek Aksoy"],
    ),
    (
        "Seferihisar Kadın ve Çevre Derneği",
        "Seferihisar",
        "Kadınların yerel karar süreçlerine katılımı.",
        ["Nazlı Güneş"],
    ),
    (
        "Çeşme Kadın Hakları Derneği",
        "Çeşme",
        "Kadın hakları ve hukuk okuryazarlığı.",
        ["Ebru Yalçın"],
    ),
    (
        "Torbalı Göçmen Kadınlar Derneği",
        "Torbalı",
        "Göçmen ve mülteci kadınlara tercüman destekli danışmanlık.",
        ["Rana Haddad"],
    ),
    (
        "İzmir Barosu Kadın Hakları Gönüllüleri",
        "Konak",
        "Gönüllü avukatlarla ücretsiz hukuki danışma.",
        ["Av. Deniz Tekin"],
    ),
    (
        "İzmir Kadın Hekimler Derneği",
        "Bornova",
        "Sağlık çalışanlarına şiddet belirtilerini tanıma eğitimi.",
        ["Dr. Canan Bulut"],
    ),
    (
        "Ege Üniversitesi Kadın Araştırmaları Topluluğu",
        "Bornova",
        "Öğrenci topluluğu: araştırma ve kampüs etkinlikleri.",
        ["Melis Karaca"],
    ),
    (
        "Dokuz Eylül Toplumsal Cinsiyet Kulübü",
        "Buca",
        "Kampüste flört şiddetine karşı çalışmalar.",
        ["Ece Sarı"],
    ),
    (
        "Kemalpaşa Kadın Emekçiler Derneği",
        "Kemalpaşa",
        "Fabrika işçisi kadınların dayanışması.",
        ["Gönül Keskin"],
    ),
    (
        "Bergama Kadın Kültür Derneği",
        "Bergama",
        "Kırsal ve kentsel kadın buluşmaları.",
        ["Meltem Uçar"],
    ),
    ("Ödemiş Kadın Dayanışma Derneği", "Ödemiş", "İlçede kadın danışma hattı.", ["Filiz Özkan"]),
    ("Tire Kadın Kooperatifi", "Tire", "Kadın üreticilerin pazar erişimi.", ["Saadet Acar"]),
    (
        "Dikili Kadın ve Gençlik Derneği",
        "Dikili",
        "Genç kadınlarla akran eğitimi.",
        ["Tuğba Çakır"],
    ),
    ("Aliağa Kadın Dayanışma Evi", "Aliağa", "Sığınma ve yönlendirme desteği.", ["Yasemin Ateş"]),
    ("Kınık Kadın Girişimi", "Kınık", "Kadınların kamusal alana katılımı.", ["Nurcan Ekinci"]),
    (
        "Foça Kadın Dostu Kent Derneği",
        "Foça",
        "Kadın dostu kent planlaması için savunuculuk.",
        ["Pınar Başaran"],
    ),
]

STAFF: list[tuple[str, str, Role]] = [
    ("Gamze Ertürk", "gamze.erturk@ortak.example", Role.organizer),
    ("Serkan Uysal", "serkan.uysal@ortak.example", Role.organizer),
    ("Leyla Tunç", "leyla.tunc@ortak.example", Role.moderator),
    ("Burcu Esen", "burcu.esen@ortak.example", Role.moderator),
]

DEMO_SLUG = "25-kasim-demo"
GIRLS_DAY_SLUG = "11-ekim-demo"
MARCH_8_SLUG = "8-mart-demo"
MARCH_8_TITLE = "8 Mart {year}: Dünya Kadınlar Günü"
MARCH_8_DESCRIPTION = (
    "**8 Mart Dünya Kadınlar Günü** etkinlikleri için önerilen ve oylanan etkinlikler. "
    "Oylama kapandı; sonuçlar yayımlandı."
)
MARCH_8_THEMES = (
    ThemeSeed("Kadın emeği ve istihdam", "Women's work and employment"),
    ThemeSeed("Kadınların sosyal hayata katılımı", "Women's participation in social life"),
    ThemeSeed("Eşitlik eğitimi", "Education for equality"),
)

VAW_TITLE = "25 Kasım {year}: Kadına Yönelik Şiddete Karşı Uluslararası Mücadele Günü"
VAW_DESCRIPTION = (
    "İzmir'in sivil toplum kuruluşlarını **25 Kasım Kadına Yönelik Şiddete Karşı "
    "Uluslararası Mücadele Günü** için belediyeyle birlikte yürütecekleri etkinlikleri "
    "önermeye davet ediyoruz.\n\n"
    "- Etkinlik, atölye, eğitim, kamu kampanyası ve sergi önerilerinizi paylaşın.\n"
    "- Diğer kuruluşların önerilerini yorumlayın, ortak olarak katılın.\n"
    "- Oylama döneminde her kuruluş **3 oy** kullanır; en çok desteklenen öneriler "
    "Kadın ve Aile Hizmetleri Dairesi'nin programına alınır.\n"
)
GIRLS_DAY_TITLE = "11 Ekim {year}: Dünya Kız Çocukları Günü"
GIRLS_DAY_DESCRIPTION = (
    "**11 Ekim Dünya Kız Çocukları Günü** için kız çocuklarının eğitim, güvenlik ve "
    "katılım haklarını öne çıkaran etkinlik önerilerinizi bekliyoruz."
)
GIRLS_DAY_THEMES = (
    ThemeSeed("Eğitimde eşitlik", "Equality in education"),
    ThemeSeed("Erken yaşta evliliklerle mücadele", "Ending early marriage"),
    ThemeSeed("Kız çocuklarının güvenliği", "Girls' safety"),
)


def _email(name: str, organization: str) -> str:
    person = slugify(name.replace("Av. ", "").replace("Dr. ", "")).replace("-", ".")
    domain = slugify(" ".join(organization.split()[:2]))
    return f"{person}@{domain}.example"


@dataclass
class DemoReport:
    created_users: int
    created_organizations: int
    created_campaigns: int


def load_demo(now: datetime, password_hash: str) -> DemoReport:
    """Add whatever part of the demo is missing; returns what it added and the demo logins."""
    users = {u.email: u for u in db.session.scalars(select(User))}
    orgs = {o.name_folded: o for o in db.session.scalars(select(Organization))}
    new_users = new_orgs = new_campaigns = 0

    def person(name: str, email: str, role: Role, organization: Organization | None) -> User:
        nonlocal new_users
        if email not in users:
            user = User(
                email=email,
                name=name,
                role=role,
                organization=organization,
                locale="tr",
                password_hash=password_hash,
                consent_version=CONSENT_VERSION,
                consented_at=now,
                created_at=now,
            )
            db.session.add(user)
            users[email] = user
            new_users += 1
        return users[email]

    for name, email, role in STAFF:
        person(name, email, role, None)
    for org_name, _district, description, reps in ORGANIZATIONS:
        organization = orgs.get(fold(org_name))
        if organization is None:
            organization = Organization(name=org_name, description=description, created_at=now)
            db.session.add(organization)
            orgs[organization.name_folded] = organization
            new_orgs += 1
        for rep in reps:
            person(rep, _email(rep, org_name), Role.participant, organization)

    db.session.flush()
    ordered = [orgs[fold(entry[0])] for entry in ORGANIZATIONS]
    reps = {
        i: [users[_email(rep, entry[0])] for rep in entry[3]]
        for i, entry in enumerate(ORGANIZATIONS)
    }
    staff = {email: users[email] for _name, email, _role in STAFF}
    organizer = users[STAFF[0][1]]
    if db.session.scalar(select(Campaign).where(Campaign.slug == DEMO_SLUG)) is None:
        # Voting opened two days ago and closes in eight: ballots are partly used.
        campaign = _add_campaign(
            now, organizer, slug=DEMO_SLUG, title=VAW_TITLE, description=VAW_DESCRIPTION,
            month=11, day=25, opened_days_ago=24, submission_days=20, voting_days=10,
            themes=VAW_THEMES,
        )  # fmt: skip
        proposals = _add_proposals(
            campaign, demo_content.PROPOSALS, reps, ordered,
            drafts=demo_content.DRAFTS, comments=demo_content.COMMENTS, staff=staff,
        )  # fmt: skip
        _cast_votes(proposals, reps, share=0.6, start=campaign.voting_opens_at)
        _moderate(campaign, proposals, reps, staff)
        new_campaigns += 1
    if db.session.scalar(select(Campaign).where(Campaign.slug == MARCH_8_SLUG)) is None:
        # Closed three weeks ago; the organisers published the results.
        campaign = _add_campaign(
            now, organizer, slug=MARCH_8_SLUG, title=MARCH_8_TITLE,
            description=MARCH_8_DESCRIPTION, month=3, day=8, opened_days_ago=70,
            submission_days=30, voting_days=14, themes=MARCH_8_THEMES,
        )  # fmt: skip
        proposals = _add_proposals(campaign, demo_content.MARCH_8_PROPOSALS, reps, ordered)
        _cast_votes(proposals, reps, share=1, start=campaign.voting_opens_at)
        campaign.results_published_at = campaign.voting_closes_at + timedelta(days=2)
        new_campaigns += 1
    if db.session.scalar(select(Campaign).where(Campaign.slug == GIRLS_DAY_SLUG)) is None:
        campaign = _add_campaign(
            now, organizer, slug=GIRLS_DAY_SLUG, title=GIRLS_DAY_TITLE,
            description=GIRLS_DAY_DESCRIPTION, month=10, day=11, opened_days_ago=3,
            submission_days=33, voting_days=14, themes=GIRLS_DAY_THEMES,
        )  # fmt: skip
        _add_proposals(campaign, demo_content.GIRLS_DAY_PROPOSALS, reps, ordered)
        new_campaigns += 1
    db.session.flush()
    return DemoReport(new_users, new_orgs, new_campaigns)


def _moderate(
    campaign: Campaign, proposals: list[Proposal], reps: dict[int, list[User]],
    staff: dict[str, User],
) -> None:  # fmt: skip
    """What the moderators have done and have waiting, through the same rules as their
    clicks (so the audit log has it): a proposal accepted for voting with an official
    answer, and one open report on a comment. The themes the proposals carry are the
    suggestions' yardstick (tests/test_similarity.py), so the demo leaves them as written."""
    from proposals import decisions

    moderator = staff["leyla.tunc@ortak.example"]
    at = campaign.voting_opens_at - timedelta(days=1, hours=3)
    decisions.decide(
        proposals[0], ProposalState.accepted, moderator, at + timedelta(hours=1),
        answer_tr="Öneri oylamaya kabul edildi. ŞÖNİM ile ilk görüşme Aralık'ta yapılacak.",
        answer_en="Accepted for voting. The first meeting with ŞÖNİM will be in December.",
    )  # fmt: skip
    comment = db.session.scalar(
        select(Comment).where(Comment.proposal_id == proposals[3].id).order_by(Comment.id)
    )
    if comment is not None:
        reporter = reps[25][0]
        discussion.report(
            reporter, comment=comment, now=campaign.voting_opens_at + timedelta(hours=5),
            reason="Yorumda bir kadının yaşadıkları, tanınabileceği ayrıntılarla anlatılıyor.",
        )  # fmt: skip


def demo_logins() -> list[tuple[str, str, str]]:
    """(role, email, organisation) of the people a newcomer can try the demo as."""
    reps = [(_email(reps[0], org), org) for org, _d, _desc, reps in ORGANIZATIONS[:2]]
    return [
        ("organizer", STAFF[0][1], ""),
        ("moderator", STAFF[2][1], ""),
        *[("participant", email, org) for email, org in reps],
    ]


def _awareness_day(after: datetime, month: int, day: int) -> date:
    candidate = date(after.year, month, day)
    return candidate if candidate > after.date() else date(after.year + 1, month, day)


def _add_campaign(
    now: datetime,
    organizer: User,
    *,
    slug: str,
    title: str,
    description: str,
    month: int,
    day: int,
    opened_days_ago: int,
    submission_days: int,
    voting_days: int,
    themes: tuple[ThemeSeed, ...],
) -> Campaign:
    hour = now.replace(minute=0, second=0, microsecond=0)  # windows read better on the hour
    submission_opens = hour - timedelta(days=opened_days_ago)
    submission_closes = submission_opens + timedelta(days=submission_days)
    voting_opens = submission_closes + timedelta(days=2)
    voting_closes = voting_opens + timedelta(days=voting_days)
    awareness_day = _awareness_day(voting_closes, month, day)
    campaign = Campaign(
        slug=slug,
        title=title.format(year=awareness_day.year),
        description=description,
        awareness_day=awareness_day,
        submission_opens_at=submission_opens,
        submission_closes_at=submission_closes,
        voting_opens_at=voting_opens,
        voting_closes_at=voting_closes,
        votes_per_organization=3,
        visibility=Visibility.public,
        created_by=organizer,
        created_at=submission_opens - timedelta(days=3),
    )
    for position, seed in enumerate(themes):
        campaign.themes.append(
            Theme(
                name_tr=seed.name_tr,
                name_en=seed.name_en,
                position=position,
                colour=THEME_PALETTE[position % len(THEME_PALETTE)],
            )
        )
    db.session.add(campaign)
    db.session.flush()
    return campaign


def _add_proposals(
    campaign: Campaign,
    entries: list[dict[str, Any]],
    reps: dict[int, list[User]],
    organizations: list[Organization],
    *,
    drafts: list[dict[str, Any]] = (),  # type: ignore[assignment]
    comments: list[tuple[int, int | None, str, str, str, int | None, int]] = (),  # type: ignore[assignment]
    staff: dict[str, User] | None = None,
) -> list[Proposal]:
    """Write the demo's proposals through the same workflows a user's clicks go through."""
    opened = campaign.submission_opens_at

    def at(day: int, hours: int = 0) -> datetime:
        return opened + timedelta(days=day, hours=hours) - timedelta(hours=6)

    proposals: list[Proposal] = []
    for entry in entries:
        author = reps[entry["org"]][0]
        fields = _fields(entry, organizations)
        when = at(entry["day"])
        proposal = submission.save_draft(campaign, author, fields, when)
        submission.submit(proposal, author, when + timedelta(minutes=20))
        for theme_index in entry.get("themes", []):
            proposal.themes.append(campaign.themes[theme_index])
        for partnership in proposal.partnerships:
            index = organizations.index(partnership.organization)
            if index in entry.get("confirmed", []):
                submission.decide_partnership(
                    partnership, reps[index][0], True, when + timedelta(hours=5)
                )
        if "edit" in entry:
            editor = reps[entry["org"]][-1]
            changed = _fields({**entry, **entry["edit"]}, organizations)
            submission.edit(proposal, editor, changed, at(entry["edit"]["day"]))
        if "withdraw" in entry:
            submission.withdraw(
                proposal, author, entry["withdraw"]["reason"], at(entry["withdraw"]["day"])
            )
        proposals.append(proposal)
    for entry in drafts:
        submission.save_draft(campaign, reps[entry["org"]][0], _fields(entry, organizations),
                              at(entry["day"]))  # fmt: skip
    posted: list[Comment] = []
    for index, org_index, staff_email, kind, body, reply_to, day in comments:
        speaker = reps[org_index][0] if org_index is not None else (staff or {})[staff_email]
        parent = posted[reply_to] if reply_to is not None else None
        posted.append(
            discussion.post_comment(
                proposals[index], speaker, body, CommentKind(kind), at(day, 2), parent=parent
            )
        )
    return proposals


def _cast_votes(
    proposals: list[Proposal], reps: dict[int, list[User]], *, share: float, start: datetime
) -> None:
    """Organisations vote through the real rules; some use their ballot only partly."""
    voters = sorted(reps)[: round(len(reps) * share)]
    for n, org_index in enumerate(voters):
        rep = reps[org_index][-1]
        wanted = 3 if share == 1 else 1 + n % 3
        given = 0
        shift = (n * 7) % len(proposals)
        for k, proposal in enumerate(proposals[shift:] + proposals[:shift]):
            if given == wanted:
                break
            try:
                # set_points refuses before it writes anything, so nothing needs undoing.
                voting.set_points(proposal, rep, 1, start + timedelta(hours=n * 3 + k))
                given += 1
            except DomainError:
                continue  # own proposal, partner, withdrawn: the rules said no


def _fields(entry: dict[str, Any], organizations: list[Organization]) -> submission.ProposalFields:
    return submission.ProposalFields(
        title=entry["title"],
        summary=entry["summary"],
        description=entry["description"],
        activity_type=ActivityType(entry["activity_type"]),
        target_group=entry.get("target_group", ""),
        district=entry["district"],
        expected_participants=entry.get("expected_participants"),
        estimated_budget=entry.get("estimated_budget"),
        partner_ids=[organizations[i].id for i in entry.get("partners", [])],
    )

"""The demo consultation a newcomer sees after ``make run``.

Loading is idempotent: people, organisations and campaigns are looked up by
their natural keys (email, folded name, slug) and only what is missing is
added. Windows are set relative to the day of loading, so the demo is always
in the phase it describes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select

from auth.invitations import CONSENT_VERSION
from auth.models import Organization, Role, User
from extensions import db
from proposals.campaigns import THEME_PALETTE, VAW_THEMES, slugify
from proposals.models import Campaign, Theme, Visibility
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

    if db.session.scalar(select(Campaign).where(Campaign.slug == DEMO_SLUG)) is None:
        _add_demo_campaign(now, users[STAFF[0][1]])
        new_campaigns += 1
    db.session.flush()
    return DemoReport(new_users, new_orgs, new_campaigns)


def demo_logins() -> list[tuple[str, str, str]]:
    """(role, email, organisation) of the people a newcomer can try the demo as."""
    reps = [(_email(reps[0], org), org) for org, _d, _desc, reps in ORGANIZATIONS[:2]]
    return [
        ("organizer", STAFF[0][1], ""),
        ("moderator", STAFF[2][1], ""),
        *[("participant", email, org) for email, org in reps],
    ]


def _add_demo_campaign(now: datetime, organizer: User) -> None:
    # Submissions opened ten days ago and close in two weeks; voting follows.
    submission_opens = now - timedelta(days=10)
    submission_closes = now + timedelta(days=14)
    voting_opens = submission_closes + timedelta(days=2)
    voting_closes = voting_opens + timedelta(days=14)
    day = voting_closes.date().replace(month=11, day=25)
    if day <= voting_closes.date():
        day = day.replace(year=day.year + 1)
    campaign = Campaign(
        slug=DEMO_SLUG,
        title=f"25 Kasım {day.year}: Kadına Yönelik Şiddete Karşı Uluslararası Mücadele Günü",
        description=(
            "İzmir'in sivil toplum kuruluşlarını **25 Kasım Kadına Yönelik Şiddete Karşı "
            "Uluslararası Mücadele Günü** için belediyeyle birlikte yürütecekleri etkinlikleri "
            "önermeye davet ediyoruz.\n\n"
            "- Etkinlik, atölye, eğitim, kamu kampanyası ve sergi önerilerinizi paylaşın.\n"
            "- Diğer kuruluşların önerilerini yorumlayın, ortak olarak katılın.\n"
            "- Oylama döneminde her kuruluş **3 oy** kullanır; en çok desteklenen öneriler "
            "Kadın ve Aile Hizmetleri Dairesi'nin programına alınır.\n"
        ),
        awareness_day=day,
        submission_opens_at=submission_opens,
        submission_closes_at=submission_closes,
        voting_opens_at=voting_opens,
        voting_closes_at=voting_closes,
        votes_per_organization=3,
        visibility=Visibility.public,
        created_by=organizer,
        created_at=now,
    )
    for position, seed in enumerate(VAW_THEMES):
        campaign.themes.append(
            Theme(
                name_tr=seed.name_tr,
                name_en=seed.name_en,
                position=position,
                colour=THEME_PALETTE[position],
            )
        )
    db.session.add(campaign)

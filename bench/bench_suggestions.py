"""Benchmark: theme suggestions and likely duplicates for a campaign of 2,000 proposals.

    .venv/bin/python bench/bench_suggestions.py                 # a temporary SQLite file
    BENCH_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/bench_sugg \\
        .venv/bin/python bench/bench_suggestions.py             # and PostgreSQL too

The campaign has 8 themes and 2,000 submitted proposals, 1,500 of them with a theme.
Their Turkish text is put together from the demo's phrases (proposals/demo_content.py)
and per-theme phrase pools, with varied word forms, districts and numbers; about 1 % are
near-copies of another proposal, as happens when two organisations propose the same
idea. Each function is timed end to end (its queries included) over 5 runs; the
median is reported. The PostgreSQL database is emptied first (its name must start
with "bench", so a wrong URL cannot empty anything else). Timing is never a test.
"""

# ruff: noqa: E501 - the phrase tables below read better one theme a line

from __future__ import annotations

import hashlib
import os
import platform
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from flask_migrate import upgrade  # noqa: E402
from sqlalchemy import create_engine, insert, make_url, select, text  # noqa: E402

from app import create_app  # noqa: E402
from auth.models import Organization  # noqa: E402
from extensions import db  # noqa: E402
from proposals import similarity  # noqa: E402
from proposals.demo_content import COMMENTS, MARCH_8_PROPOSALS, PROPOSALS  # noqa: E402
from proposals.models import (  # noqa: E402
    ActivityType,
    Campaign,
    Proposal,
    ProposalState,
    Theme,
    Visibility,
    proposal_themes,
)
from text import fold  # noqa: E402

PROPOSALS_N = 2_000
ASSIGNED_N = 1_500
ORGANIZATIONS_N = 120
RUNS = 5
SEED = 2026

THEMES: list[tuple[str, str, str]] = [
    ("Kurumlar arası koordinasyon", "Inter-agency coordination",
     "ŞÖNİM, emniyet, sağlık ve muhtarlıklar arasında yönlendirme ve iş birliği."),
    ("Erişilebilir destek mekanizmaları", "Accessible support mechanisms",
     "Engelli, yaşlı ve göçmen kadınların danışma ve destek hizmetlerine erişimi."),
    ("Kadınların sosyal hayata katılımı", "Women's participation in social life",
     "Kent yaşamına, kültüre ve karar süreçlerine katılım."),
    ("Ekonomik güçlenme", "Economic empowerment",
     "Kadın kooperatifleri, istihdam ve girişimcilik."),
    ("Gençlerle çalışma", "Working with young people",
     "Okullarda ve kampüslerde akran eğitimi, flört şiddetinin önlenmesi."),
    ("Hukuki destek", "Legal support",
     "Koruma kararı, 6284 sayılı kanun ve ücretsiz hukuki danışma."),
    ("Sağlık ve psikososyal destek", "Health and psychosocial support",
     "Sağlık çalışanlarının eğitimi, psikolojik destek ve travma sonrası iyileşme."),
    ("Kamuoyu farkındalığı", "Public awareness",
     "Sergiler, yürüyüşler, kamu spotları ve medya çalışmaları."),
]  # fmt: skip

# Per theme: topics for titles, and noun phrases and verb phrases that sentences are put
# together from (8 × 8 × 6 sentences a theme), so that no two proposals read the same.
TOPICS: list[list[str]] = [
    ["kurumlar arası şiddet önleme masası", "yönlendirme akış şeması", "muhtarlarla koordinasyon toplantıları",
     "ŞÖNİM ve emniyetle ortak vaka toplantısı", "sağlık ocaklarıyla yönlendirme protokolü"],
    ["erişilebilir destek rehberi", "işaret dilinde danışma hattı", "göçmen kadınlar için tercümanlı danışma",
     "yaşlı kadınlara evde destek ziyaretleri", "mahallede kadın danışma noktaları"],
    ["kadın dostu kent yürüyüşü", "mahalle kadın meclisi", "kırsalda kadın buluşmaları",
     "kadınların kültür ve sanat atölyeleri", "kent forumunda kadınların sesi"],
    ["kadın kooperatifleri için dijital pazarlama", "kadın üreticiler pazarı", "girişimcilik eğitimi",
     "kadın istihdamı için meslek kursları", "kooperatif ürünleri için ortak satış noktası"],
    ["kampüste flört şiddetine karşı akran eğitimi", "ortaokullarda eşitlik atölyeleri",
     "gençlerle toplumsal cinsiyet söyleşileri", "lise öğrencileriyle kısa film yarışması",
     "genç kadınlar için liderlik kampı"],
    ["hukuk okuryazarlığı atölyesi", "koruma kararı başvuru rehberi", "gönüllü avukatlarla danışma günleri",
     "6284 sayılı kanun bilgilendirme toplantıları", "işyerinde tacize karşı hukuki destek"],
    ["sağlık çalışanlarına şiddet belirtilerini tanıma eğitimi", "kadınlar için psikolojik destek grupları",
     "travma sonrası iyileşme atölyeleri", "aile sağlığı merkezlerinde bilgilendirme",
     "kadın sağlığı taramaları ve danışmanlık"],
    ["fotoğraf sergisi", "turuncu yürüyüş", "kamu spotu ve sosyal medya kampanyası",
     "yerel radyoda farkındalık programı", "duvar resmi ve sokak sanatı çalışması"],
]  # fmt: skip
NOUNS: list[list[str]] = [
    ["ŞÖNİM ile emniyet", "muhtarlar ve kamu çalışanları", "sağlık ocakları", "kurumlar arası ağ",
     "vaka takip sistemi", "yönlendirme protokolü", "il müdürlükleri", "başvuru akış şeması"],
    ["engelli kadınlar", "işaret dili tercümanları", "kolay okunur rehberler", "göçmen kadınlar",
     "tercüman destekli danışma hattı", "yaşlı kadınlar ve bakım verenleri", "sesli anlatım",
     "mahalle danışma noktaları"],
    ["mahalle kadın meclisleri", "kent forumları", "kırsalda yaşayan kadınlar", "kültür merkezleri",
     "kadınların karar süreçleri", "çocuk bakımı desteği", "güvenlik haritası", "kadın dostu parklar"],
    ["kadın kooperatifleri", "kadın üreticiler", "çevrim içi satış", "meslek kursları",
     "kadın girişimciler", "işe yerleştirme desteği", "mikro kredi olanakları", "yerel pazarlar"],
    ["üniversite öğrencileri", "akran eğitmenleri", "ortaokul öğretmenleri", "lise kulüpleri",
     "flört şiddeti", "toplumsal cinsiyet eşitliği dersleri", "genç kadın liderler", "kampüs toplulukları"],
    ["gönüllü avukatlar", "koruma kararları", "6284 sayılı kanun", "tedbir kararı başvuruları",
     "baro danışma merkezi", "iş hukuku", "tacize karşı işyeri politikaları", "adli yardım"],
    ["hekim ve hemşireler", "psikolojik destek grupları", "travma sonrası iyileşme",
     "aile sağlığı merkezleri", "KETEM çalışanları", "ruh sağlığı uzmanları", "kadın sağlığı taramaları",
     "şiddet belirtileri"],
    ["fotoğraf sergileri", "kamu spotları", "sosyal medya etiketleri", "yerel radyolar",
     "turuncu yürüyüş", "sokak sanatçıları", "dayanışma hikâyeleri", "kent meydanları"],
]  # fmt: skip
VERBS = [
    "için ortak bir program hazırlanacak.", "ile düzenli toplantılar yapılacak.",
    "konusunda bilgilendirme yapılacak.", "desteğiyle atölyeler düzenlenecek.",
    "üzerine bir rapor yazılacak.", "için gönüllü ekipler kurulacak.",
    "ile birlikte bir yol haritası çıkarılacak.", "hakkında kısa bir kitapçık basılacak.",
    "için bir deneme uygulaması başlatılacak.", "ile deneyim paylaşımı buluşması yapılacak.",
    "konusunda uzman konuklar davet edilecek.", "için bir çevrim içi form açılacak.",
]  # fmt: skip
QUALIFIERS = [
    "hafta sonları", "akşam saatlerinde", "mahalle düzeyinde", "ücretsiz olarak", "iki ayda bir",
    "kütüphanelerde", "semt evlerinde", "kültür merkezlerinde", "okulların spor salonlarında",
    "belediye binasında", "parklarda", "çevrim içi", "yüz yüze", "küçük gruplarla",
    "uzman eşliğinde", "gönüllülerle birlikte", "yaz aylarında", "kış boyunca", "her çarşamba",
    "kooperatif binasında", "köy konaklarında", "sivil toplum merkezinde",
]  # fmt: skip
GENERIC = [
    "Etkinlik 25 Kasım haftasında yapılacak.",
    "Katılım ücretsiz olacak ve duyurular muhtarlıklar aracılığıyla yapılacak.",
    "Bütçenin büyük kısmı malzeme ve ulaşım giderlerine ayrılacak.",
    "Sonuçlar bir rapor halinde belediyeyle paylaşılacak.",
    "Gönüllüler etkinlik öncesinde kısa bir eğitim alacak.",
    "Çocuk bakımı desteği sağlanarak annelerin katılımı kolaylaştırılacak.",
    "Geçen yıl benzer bir çalışmaya yüzlerce kadın katıldı.",
    "Program ilçe belediyesiyle birlikte yürütülecek.",
    "Her oturumun sonunda katılımcıların görüşleri alınacak.",
    "Mekânların erişilebilir olmasına dikkat edilecek.",
]
ACTIVITIES = ["atölyesi", "buluşmaları", "eğitimi", "programı", "çalışması", "günleri", "projesi",
              "söyleşileri", "kampanyası", "seminerleri"]  # fmt: skip
DISTRICTS = ["Karşıyaka", "Bornova", "Buca", "Konak", "Bayraklı", "Çiğli", "Karabağlar",
             "Gaziemir", "Balçova", "Narlıdere", "Menemen", "Torbalı", "Urla", "Foça", "Kemalpaşa",
             "Menderes", "Seferihisar", "Çeşme", "Dikili", "Bergama", "Ödemiş", "Tire"]  # fmt: skip
# The demo's sentences (proposals and comments), woven into the generated proposals.
DEMO_SENTENCES = sorted(
    {
        sentence.strip(" -#*\n") + "."
        for entry in PROPOSALS + MARCH_8_PROPOSALS
        for part in (entry["summary"], entry["description"])
        for sentence in part.replace("\n", " ").split(".")
        if len(sentence.split()) >= 4
    }
    | {comment[4] for comment in COMMENTS}
)


# The long tail real proposals have: particular subjects, neighbourhoods and partners.
DETAILS: list[list[str]] = [
    ["ortak vaka formu", "yönlendirme kartı", "acil durum telefon zinciri", "kurumlar arası protokol",
     "mahalle muhtarları eğitimi", "aylık koordinasyon bülteni", "sığınma evi kontenjanı",
     "ŞÖNİM irtibat görevlisi", "güvenli ev başvurusu", "il koordinasyon kurulu",
     "emniyet kadın masası", "veri paylaşım izni", "ortak başvuru kayıt defteri"],
    ["braille broşür", "tekerlekli sandalye rampası", "sesli betimleme", "altyazılı video",
     "Arapça bilgi kartı", "Farsça danışma saati", "Kürtçe sesli mesaj", "evde bakım ziyareti",
     "kolay okunur afiş", "engelsiz ulaşım servisi", "görme engelli kadınlar", "işitme engelli kadınlar",
     "mobil danışma aracı"],
    ["mahalle bostanı", "kadın koşusu", "bisiklet turu", "halk oyunları ekibi", "kadın korosu",
     "okuma grubu", "gece aydınlatması", "kadın dostu otobüs durağı", "kent belleği söyleşisi",
     "semt pazarı sohbeti", "kadın satranç turnuvası", "tiyatro gösterisi", "yürüyüş rotası"],
    ["el emeği ürünler", "zeytinyağlı sabun", "dokuma atölyesi", "e-ticaret sitesi", "ambalaj tasarımı",
     "muhasebe kursu", "kooperatif kuruluş dilekçesi", "hibe başvurusu", "ürün fotoğrafçılığı",
     "fuar katılımı", "kreş desteği", "ev eksenli çalışan kadınlar", "tarım kooperatifi"],
    ["rızanın anlamı", "dijital şiddet", "siber zorbalık", "sağlıklı ilişki", "kıskançlık ve kontrol",
     "okul rehber servisi", "öğrenci kulübü", "kısa film senaryosu", "gençlik meclisi",
     "yurt danışmanları", "sınav kaygısı", "ebeveyn söyleşisi", "oyun temelli etkinlik"],
    ["nafaka hakkı", "boşanma süreci", "uzaklaştırma kararı", "adli yardım bürosu", "arabuluculuk",
     "mahkeme refakati", "dilekçe örnekleri", "mobbing", "iş sözleşmesi", "kıdem tazminatı",
     "suç duyurusu", "koruyucu tedbir", "avukat nöbeti"],
    ["doğum sonrası depresyon", "menopoz söyleşisi", "rahim ağzı kanseri taraması", "meme muayenesi",
     "uyku sorunları", "kaygı bozukluğu", "nefes egzersizleri", "sanat terapisi", "yas danışmanlığı",
     "ilk yardım eğitimi", "aile hekimleri", "acil servis hemşireleri", "psikiyatri randevusu"],
    ["fotoğraf yarışması", "belgesel gösterimi", "podcast serisi", "turuncu bank", "mural",
     "afiş tasarımı", "kısa video", "televizyon programı", "gazete eki", "sergi kataloğu",
     "kent ekranları", "tiyatro oyunu", "konser"],
]  # fmt: skip
ROOTS = ["Yeşil", "Kara", "Gül", "Çınar", "Zeytin", "Ak", "Güneş", "Yıldız", "Bahar", "Pınar",
         "Kavak", "Ilıca", "Meşe", "Narlı", "Sarı", "Ayvalı", "Kiraz", "Defne", "Mimoza", "Lale"]  # fmt: skip
ENDINGS = ["tepe", "dere", "ova", "köy", "bağ", "yaka", "evler", "kent", "yurt", "kaya"]
PARTNERS = ["Halk Eğitim Merkezi", "Gençlik Merkezi", "Kent Konseyi", "İlçe Sağlık Müdürlüğü",
            "Kadın Kooperatifi", "Engelliler Derneği", "Muhtarlar Derneği", "Üniversitesi"]  # fmt: skip
DETAIL_FRAMES = [
    "Özellikle {detail} konusuna ağırlık vereceğiz.",
    "{neighbourhood} Mahallesi'nde {detail} üzerine bir ön görüşme yaptık.",
    "{partner} ile {detail} için iş birliği yapacağız.",
    "Katılımcılar {detail} hakkında soru sorabilecek.",
    "Geçen yıl {neighbourhood} Mahallesi'nde {detail} ihtiyacını gördük.",
]


def _locative(word: str) -> str:
    """ "Buca'da", "Çiğli'de", "Urla'da", "Tire'de": the suffix follows the last vowel."""
    vowels = [c for c in word.lower() if c in "aıoueiöü"]
    front = bool(vowels) and vowels[-1] in "eiöü"
    hard = word[-1].lower() in "çfhkpsşt"
    return f"{word}'{'t' if hard else 'd'}{'e' if front else 'a'}"


def _capitalised(text: str) -> str:
    return {"i": "İ", "ı": "I"}.get(text[0], text[0].upper()) + text[1:]


def _sentence(rng: random.Random, theme: int) -> str:
    first, second = rng.sample(NOUNS[theme], 2)
    return _capitalised(f"{rng.choice(QUALIFIERS)} {first} ve {second} {rng.choice(VERBS)}")


def _text(rng: random.Random, theme: int) -> tuple[str, str, str]:
    """A title, summary and description mostly about ``theme``, with some words of others."""
    district = rng.choice(DISTRICTS)
    title = f"{_locative(district)} {rng.choice(TOPICS[theme])} {rng.choice(ACTIVITIES)}"
    details = [
        rng.choice(DETAIL_FRAMES).format(
            detail=rng.choice(DETAILS[theme if rng.random() < 0.8 else rng.randrange(8)]),
            neighbourhood=rng.choice(ROOTS) + rng.choice(ENDINGS),
            partner=f"{rng.choice(DISTRICTS)} {rng.choice(PARTNERS)}",
        )
        for _ in range(rng.randint(2, 4))
    ]
    body = [
        _sentence(rng, theme),
        *(_capitalised(d) for d in details),
        *rng.sample(DEMO_SENTENCES, rng.randint(0, 2)),
        *rng.sample(GENERIC, rng.randint(0, 2)),
        f"Yaklaşık {rng.randrange(20, 2000, 10)} kişiye ulaşmayı hedefliyoruz.",
    ]
    rng.shuffle(body)
    return title[:120], _sentence(rng, theme)[:500], "## Amaç\n\n" + " ".join(body)


def build(now: datetime) -> Campaign:
    """Write the campaign with Core inserts (the workflows, one click at a time, are slow)."""
    rng = random.Random(SEED)  # reproducible test data
    campaign = Campaign(
        slug="bench-oneriler",
        title="25 Kasım — öneri benzerliği ölçümü",
        description="",
        awareness_day=(now + timedelta(days=60)).date(),
        submission_opens_at=now - timedelta(days=10),
        submission_closes_at=now + timedelta(days=10),
        voting_opens_at=now + timedelta(days=12),
        voting_closes_at=now + timedelta(days=20),
        visibility=Visibility.public,
    )
    for position, (name_tr, name_en, description_tr) in enumerate(THEMES):
        campaign.themes.append(
            Theme(
                name_tr=name_tr, name_en=name_en, description_tr=description_tr, position=position
            )
        )
    db.session.add(campaign)
    organizations = [Organization(name=f"Kadın Derneği {n}") for n in range(ORGANIZATIONS_N)]
    db.session.add_all(organizations)
    db.session.flush()
    rows: list[dict[str, Any]] = []
    themes_of: list[int] = []
    for n in range(PROPOSALS_N):
        if rows and rng.random() < 0.01:  # a near-copy of an earlier proposal
            source = rng.choice(rows)
            title, summary = source["title"], source["summary"]
            description = source["description"] + " " + rng.choice(GENERIC)
            theme = themes_of[rows.index(source)]
        else:
            theme = rng.randrange(len(THEMES))
            title, summary, description = _text(rng, theme)
        themes_of.append(theme)
        rows.append(
            {
                "campaign_id": campaign.id,
                "organization_id": organizations[n % ORGANIZATIONS_N].id,
                "title": title,
                "summary": summary,
                "description": description,
                "activity_type": ActivityType.workshop,
                "district": "Konak",
                "state": ProposalState.submitted,
                "search_text": fold(f"{title}\n{summary}\n{description}"),
                "created_at": now,
                "updated_at": now,
                "submitted_at": now,
            }
        )
    db.session.execute(insert(Proposal), rows)
    ids = list(
        db.session.scalars(
            select(Proposal.id).where(Proposal.campaign_id == campaign.id).order_by(Proposal.id)
        )
    )
    theme_ids = [t.id for t in campaign.themes]
    assigned = rng.sample(range(PROPOSALS_N), ASSIGNED_N)
    links = [{"proposal_id": ids[i], "theme_id": theme_ids[themes_of[i]]} for i in assigned]
    db.session.execute(insert(proposal_themes), links)
    db.session.commit()
    return campaign


def _median(run: Callable[[], Any]) -> tuple[float, Any]:
    times, result = [], None
    for _ in range(RUNS):
        db.session.expire_all()
        started = time.perf_counter()
        result = run()
        times.append(time.perf_counter() - started)
    return statistics.median(times), result


def measure(url: str) -> dict[str, Any]:
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": url,
            "SECRET_KEY": "bench",
            "TESTING": True,
            "RATELIMIT_STORAGE_URI": "memory://",
        }
    )
    with app.app_context():
        upgrade()
        campaign = build(datetime(2026, 10, 1, 9))
        suggest_s, suggestions = _median(lambda: similarity.suggest_themes(campaign))
        duplicates_s, duplicates = _median(lambda: similarity.likely_duplicates(campaign))
        similar_s, _ = _median(
            lambda: similarity.similar_proposals(
                campaign,
                "Kampüste flört şiddeti atölyesi",
                "Üniversite öğrencileriyle akran eğitimi",
            )
        )
        evaluation_s, evaluation = _median(lambda: similarity.evaluate_suggestions(campaign))
        # What was computed, to compare databases: the same rows must give the same answers.
        digest = hashlib.sha256(
            repr(
                (
                    sorted(
                        (p, [(s.theme.id, round(s.score, 12)) for s in v])
                        for p, v in suggestions.items()
                    ),
                    [(a.id, b.id, round(score, 12)) for a, b, score in duplicates],
                )
            ).encode()
        ).hexdigest()[:16]
        db.session.remove()
        db.engine.dispose()
    return {
        "suggest_themes": suggest_s,
        "suggested_proposals": len(suggestions),
        "likely_duplicates": duplicates_s,
        "duplicate_pairs": len(duplicates),
        "similar_proposals": similar_s,
        "evaluate_suggestions": evaluation_s,
        "top1": evaluation.top1_accuracy,
        "top3": evaluation.top3_recall,
        "digest": digest,
    }


def _empty_postgres(url: str) -> None:
    name = make_url(url).database or ""
    if not name.startswith("bench"):
        raise SystemExit(f"BENCH_DATABASE_URL names {name!r}: use a database named bench…")
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()


def _cpu() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def main() -> None:
    print(f"machine: {os.cpu_count()} CPUs (nproc), {_cpu()}, Python {platform.python_version()}")
    print(f"campaign: {PROPOSALS_N} proposals, {len(THEMES)} themes, {ASSIGNED_N} with a theme;"
          f" median of {RUNS} runs")  # fmt: skip
    targets = []
    with tempfile.TemporaryDirectory() as tmp:
        targets.append(("SQLite", f"sqlite:///{tmp}/bench.sqlite3"))
        postgres = os.environ.get("BENCH_DATABASE_URL", "")
        if postgres:
            _empty_postgres(postgres)
            targets.append(("PostgreSQL", postgres))
        for label, url in targets:
            r = measure(url)
            print(
                f"{label:10s} suggest_themes {r['suggest_themes']:.3f} s "
                f"({r['suggested_proposals']} unthemed proposals) | "
                f"likely_duplicates {r['likely_duplicates']:.3f} s "
                f"({r['duplicate_pairs']} pairs) | "
                f"similar_proposals {r['similar_proposals']:.3f} s | "
                f"evaluate_suggestions {r['evaluate_suggestions']:.3f} s "
                f"(top-1 {r['top1']:.3f}, top-3 recall {r['top3']:.3f} on generated text) | "
                f"results digest {r['digest']}"
            )


if __name__ == "__main__":
    main()

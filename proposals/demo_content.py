"""Turkish demo proposals and discussions for the 25 Kasım campaign.

Each proposal names its author organisation (index into demo.ORGANIZATIONS),
partners (indexes; a partner listed in ``confirmed`` has answered yes), the
day offset of its submission (days after the window opened), its themes
(indexes into the campaign's themes), and what happened to it afterwards.
"""

from __future__ import annotations

from typing import Any

PROPOSALS: list[dict[str, Any]] = [
    {
        "org": 0,
        "partners": [3, 18],
        "confirmed": [3, 18],
        "day": 1,
        "themes": [0],
        "title": "Kurumlar arası şiddet önleme masası: mahalle buluşmaları",
        "summary": "Karşıyaka'da ŞÖNİM, emniyet, sağlık ocakları ve muhtarlarla her ay bir "
        "araya gelip şiddete uğrayan kadınların yönlendirilmesini hızlandırmak.",
        "description": "## Amaç\n\nŞiddet başvurularında kadınlar kurumdan kuruma gönderiliyor. "
        "Mahalle düzeyinde düzenli bir koordinasyon masası kurarak:\n\n"
        "- başvuru yollarını tek bir akış şemasında toplamak,\n"
        "- muhtarlara ve sağlık çalışanlarına yönlendirme eğitimi vermek,\n"
        "- 25 Kasım haftasında ortak bir bilgilendirme standı açmak istiyoruz.\n",
        "activity_type": "event",
        "district": "Karşıyaka",
        "target_group": "Kamu çalışanları ve muhtarlar",
        "expected_participants": 60,
        "estimated_budget": 45000,
        "edit": {
            "day": 3,
            "summary": "Karşıyaka'da ŞÖNİM, emniyet, sağlık ocakları, baro ve "
            "muhtarlarla her ay bir araya gelip şiddete uğrayan kadınların "
            "yönlendirilmesini hızlandırmak.",
        },
    },
    {
        "org": 4,
        "partners": [8],
        "confirmed": [8],
        "day": 2,
        "themes": [1],
        "title": "Engelli kadınlar için erişilebilir destek rehberi",
        "summary": "İşaret dili videoları, kolay okunur metin ve sesli anlatımla, şiddete "
        "uğrayan engelli kadınların başvurabileceği yerleri anlatan bir rehber.",
        "description": "Engelli kadınlar şiddete daha sık maruz kalıyor ama destek "
        "mekanizmalarına en az ulaşan grup. Rehberi **kolay okunur** biçimde "
        "hazırlayıp İzmir'in 30 ilçesindeki engelli merkezlerine dağıtacağız.",
        "activity_type": "public_campaign",
        "district": "city-wide",
        "target_group": "Engelli kadınlar ve bakım verenleri",
        "expected_participants": 1500,
        "estimated_budget": 120000,
    },
    {
        "org": 2,
        "partners": [],
        "confirmed": [],
        "day": 2,
        "themes": [1],
        "title": "Mahallede kadın danışma noktaları",
        "summary": "Buca'nın beş mahallesinde haftada bir gün açık, gizliliğe önem veren "
        "danışma noktaları.",
        "description": "Danışma noktaları muhtarlık ya da kültür merkezlerinde, kadınların "
        "rahatça gelebileceği saatlerde açık olacak. Gönüllü psikolog ve "
        "avukatlar nöbetleşe çalışacak.",
        "activity_type": "other",
        "district": "Buca",
        "target_group": "Mahallede yaşayan kadınlar",
        "expected_participants": 300,
        "estimated_budget": 80000,
    },
    {
        "org": 6,
        "partners": [14],
        "confirmed": [14],
        "day": 3,
        "themes": [2],
        "title": "“Sessiz Değiliz” fotoğraf sergisi",
        "summary": "Kadınların dayanışma hikâyelerini anlatan fotoğraflar Konak Pier'de "
        "bir hafta boyunca sergilenecek.",
        "description": "Sergide yer alacak fotoğraflar, katılımcıların açık rızasıyla ve "
        "kimlikleri gizlenerek çekilecek. Açılışta bir söyleşi yapılacak.",
        "activity_type": "exhibition",
        "district": "Konak",
        "target_group": "Kent halkı",
        "expected_participants": 2000,
        "estimated_budget": 60000,
    },
    {
        "org": 21,
        "partners": [20],
        "confirmed": [20],
        "day": 4,
        "themes": [2],
        "title": "Kampüste flört şiddetine karşı akran eğitimi",
        "summary": "Üniversite öğrencilerine flört şiddetini tanıma ve arkadaşına destek "
        "olma üzerine dört haftalık akran eğitimi.",
        "description": "Eğitimi alan öğrenciler kendi fakültelerinde atölye yürütecek. "
        "25 Kasım'da kampüste ortak bir yürüyüş planlanıyor.",
        "activity_type": "training",
        "district": "Buca",
        "target_group": "Üniversite öğrencileri",
        "expected_participants": 120,
        "estimated_budget": 30000,
    },
    {
        "org": 19,
        "partners": [8],
        "confirmed": [],
        "day": 4,
        "themes": [0, 1],
        "title": "Sağlık çalışanlarına şiddet belirtilerini tanıma eğitimi",
        "summary": "Aile sağlığı merkezlerinde çalışan hekim ve hemşirelere şiddet "
        "belirtilerini tanıma ve güvenli yönlendirme eğitimi.",
        "description": "Sağlık çalışanları çoğu zaman şiddete uğrayan kadının ilk temas "
        "noktası. Eğitim, KETEM ve ŞÖNİM ile birlikte hazırlanacak.",
        "activity_type": "training",
        "district": "Bornova",
        "target_group": "Sağlık çalışanları",
        "expected_participants": 200,
        "estimated_budget": 40000,
    },
    {
        "org": 17,
        "partners": [],
        "confirmed": [],
        "day": 5,
        "themes": [1],
        "title": "Göçmen kadınlar için tercümanlı danışma hattı",
        "summary": "Arapça, Farsça ve Kürtçe tercüman desteğiyle haftanın üç günü "
        "açık danışma hattı.",
        "description": "Dil engeli, göçmen kadınların destek almasının önündeki en büyük "
        "engel. Hat, mevcut belediye çağrı merkezine bağlanacak.",
        "activity_type": "other",
        "district": "online",
        "target_group": "Göçmen ve mülteci kadınlar",
        "expected_participants": 500,
        "estimated_budget": 95000,
    },
    {
        "org": 11,
        "partners": [12],
        "confirmed": [12],
        "day": 6,
        "themes": [2],
        "title": "Kırsalda kadın buluşmaları: köy köy dayanışma",
        "summary": "Menemen ve Torbalı köylerinde kadınlarla haklar ve destek "
        "mekanizmaları üzerine sohbet toplantıları.",
        "description": "Toplantılar köy kahvesi yerine kadınların tercih ettiği yerlerde, "
        "çocuk bakımı desteğiyle yapılacak.",
        "activity_type": "workshop",
        "district": "Menemen",
        "target_group": "Kırsalda yaşayan kadınlar",
        "expected_participants": 250,
        "estimated_budget": 35000,
        "withdraw": {
            "day": 8,
            "reason": "Torbalı Kadın Kooperatifi'nin önerisiyle birleştirmek üzere geri çekiyoruz.",
        },
    },
    {
        "org": 9,
        "partners": [],
        "confirmed": [],
        "day": 7,
        "themes": [1],
        "title": "Yaşlı kadınlara yönelik ihmal ve istismar farkındalığı",
        "summary": "Yaşlı kadınlar ve yakınları için ihmal ve ekonomik istismarı tanıma "
        "söyleşileri.",
        "description": "Söyleşiler semt evlerinde yapılacak; ekonomik istismar konusunda "
        "banka çalışanları da davet edilecek.",
        "activity_type": "event",
        "district": "Narlıdere",
        "target_group": "65 yaş üstü kadınlar",
        "expected_participants": 90,
        "estimated_budget": 15000,
    },
    {
        "org": 29,
        "partners": [15],
        "confirmed": [15],
        "day": 8,
        "themes": [2],
        "title": "Kadın dostu kent yürüyüşü ve güvenlik haritası",
        "summary": "Kadınlarla birlikte ilçede gece yürüyüşü yapıp aydınlatması yetersiz ve "
        "güvensiz hissettiren yerleri haritalamak.",
        "description": "Çıkan harita belediyenin fen işleri birimine rapor olarak sunulacak.",
        "activity_type": "event",
        "district": "Foça",
        "target_group": "İlçede yaşayan kadınlar",
        "expected_participants": 80,
        "estimated_budget": 10000,
    },
    {
        "org": 1,
        "partners": [25],
        "confirmed": [25],
        "day": 9,
        "themes": [2],
        "title": "Turuncu pazar: kadın üreticilerle dayanışma günü",
        "summary": "25 Kasım haftasında kadın kooperatiflerinin ürünlerini satacağı, "
        "şiddetle mücadele bilgilendirmesinin de yapılacağı bir pazar.",
        "description": "Pazardan elde edilen gelirin bir kısmı kadın danışma merkezlerine "
        "bağışlanacak.",
        "activity_type": "event",
        "district": "Bornova",
        "target_group": "Kent halkı",
        "expected_participants": 3000,
        "estimated_budget": 50000,
    },
    {
        "org": 16,
        "partners": [],
        "confirmed": [],
        "day": 9,
        "themes": [],
        "title": "Hukuk okuryazarlığı atölyesi: 6284 sayılı kanun",
        "summary": "Kadınlara koruma kararı, tedbir ve başvuru yolları üzerine uygulamalı atölye.",
        "description": "Atölyede gönüllü avukatlar, koruma kararı başvurusunun adım adım nasıl "
        "yapılacağını anlatacak.",
        "activity_type": "workshop",
        "district": "Çeşme",
        "target_group": "Kadınlar",
        "expected_participants": 40,
        "estimated_budget": 8000,
    },
    {
        "org": 22,
        "partners": [],
        "confirmed": [],
        "day": 10,
        "themes": [],
        "title": "Fabrikalarda şiddete karşı işyeri politikası çalıştayı",
        "summary": "Kemalpaşa'daki fabrikaların insan kaynakları birimleriyle işyerinde "
        "şiddet ve tacize karşı politika çalıştayı.",
        "description": "ILO 190 sayılı sözleşme çerçevesinde örnek bir işyeri politikası "
        "taslağı hazırlanacak.",
        "activity_type": "workshop",
        "district": "Kemalpaşa",
        "target_group": "İşverenler ve işçiler",
        "expected_participants": 50,
        "estimated_budget": 12000,
    },
    # Submitted late, and much like "Mahallede kadın danışma noktaları": the moderators'
    # likely-duplicate pair, still without a theme.
    {
        "org": 13,
        "partners": [],
        "confirmed": [],
        "day": 17,
        "themes": [],
        "title": "Mahalle mahalle kadın danışma noktaları",
        "summary": "Buca ve Karabağlar'ın mahallelerinde haftada bir gün açık, gizliliğe "
        "önem veren kadın danışma noktaları.",
        "description": "Danışma noktaları muhtarlıklarda ya da kültür merkezlerinde, "
        "kadınların rahatça gelebileceği saatlerde açık olacak. Gönüllü avukat ve "
        "psikologlar nöbetleşe çalışacak.",
        "activity_type": "other",
        "district": "Karabağlar",
        "target_group": "Mahallede yaşayan kadınlar",
        "expected_participants": 250,
        "estimated_budget": 70000,
    },
]

# A draft nobody else sees yet (Karşıyaka's second idea).
DRAFTS: list[dict[str, Any]] = [
    {
        "org": 0,
        "day": 9,
        "title": "Erkeklerle şiddetsiz iletişim atölyesi",
        "summary": "Taslak: babalar ve gençlerle şiddetsiz iletişim üzerine atölye.",
        "description": "",
        "activity_type": "workshop",
        "district": "Karşıyaka",
    },
]

# (proposal index, organisation index or None for staff, staff email, kind, body, reply-to
# comment index within this list or None, day)
COMMENTS: list[tuple[int, int | None, str, str, str, int | None, int]] = [
    (
        0,
        2,
        "",
        "support",
        "Buca'da da benzer bir masaya ihtiyaç var; akış şemasını bizimle de "
        "paylaşırsanız çok seviniriz.",
        None,
        2,
    ),
    (0, 0, "", "comment", "Elbette, taslağı bu hafta paylaşıyoruz.", 0, 3),
    (
        0,
        None,
        "leyla.tunc@ortak.example",
        "question",
        "Emniyetten kimin katılacağı belli mi? İl müdürlüğüyle resmi yazışma gerekebilir.",
        None,
        4,
    ),
    (
        1,
        5,
        "",
        "support",
        "Kolay okunur metin çok önemli; gençlik platformu olarak seslendirme "
        "için gönüllü verebiliriz.",
        None,
        3,
    ),
    (
        1,
        19,
        "",
        "concern",
        "Rehberdeki telefon numaralarının güncel tutulması için bir sorumlu belirlenmeli.",
        None,
        4,
    ),
    (1, 4, "", "comment", "Haklısınız, her üç ayda bir güncelleme yapacağız.", 4, 5),
    (
        3,
        7,
        "",
        "question",
        "Fotoğraflarda kimliklerin gizlenmesi için hangi yöntemi kullanacaksınız?",
        None,
        4,
    ),
    (3, 6, "", "comment", "Yüz göstermeyen kompozisyonlar ve katılımcı onayı ile.", 6, 5),
    (4, 20, "", "support", "Ege Üniversitesi'nde de aynı eğitimi yapmaya hazırız.", None, 5),
    (
        5,
        8,
        "",
        "support",
        "Balçova'da aile sağlığı merkezleriyle bağlantımız var, destek oluruz.",
        None,
        5,
    ),
    (
        6,
        3,
        "",
        "support",
        "Tercüman desteği olmadan göçmen kadınlara ulaşmak neredeyse imkânsız.",
        None,
        6,
    ),
    (
        6,
        None,
        "burcu.esen@ortak.example",
        "question",
        "Hat mevcut ALO 183 ile nasıl ilişkilenecek?",
        None,
        7,
    ),
    (9, 15, "", "support", "Seferihisar'da da aynı haritalamayı yapmak isteriz.", None, 9),
    (10, 12, "", "concern", "Pazar alanının erişilebilir olmasına dikkat edilmeli.", None, 10),
]

# Proposals for the 11 Ekim Dünya Kız Çocukları Günü campaign, open for submissions.
GIRLS_DAY_PROPOSALS: list[dict[str, Any]] = [
    {
        "org": 5,
        "partners": [26],
        "confirmed": [26],
        "day": 1,
        "themes": [0],
        "title": "Kız çocuklarıyla kodlama ve rol model buluşmaları",
        "summary": "Ortaokul çağındaki kız çocuklarının bilim ve teknoloji alanında çalışan "
        "kadınlarla tanıştığı atölyeler.",
        "description": "Atölyeler hafta sonları kütüphanelerde yapılacak.",
        "activity_type": "workshop",
        "district": "Çiğli",
        "target_group": "11-14 yaş kız çocukları",
        "expected_participants": 100,
        "estimated_budget": 25000,
    },
]

# The closed 8 Mart campaign, whose results were published.
MARCH_8_PROPOSALS: list[dict[str, Any]] = [
    {
        "org": 1,
        "partners": [12],
        "confirmed": [12],
        "day": 2,
        "themes": [0],
        "title": "Kadın kooperatifleri için dijital pazarlama eğitimi",
        "summary": "Kooperatif üyesi kadınlara çevrim içi satış ve sosyal medya eğitimi.",
        "description": "Altı haftalık eğitim; her kooperatiften iki katılımcı.",
        "activity_type": "training",
        "district": "Bornova",
        "target_group": "Kooperatif üyesi kadınlar",
        "expected_participants": 40,
        "estimated_budget": 28000,
    },
    {
        "org": 5,
        "partners": [],
        "confirmed": [],
        "day": 3,
        "themes": [1],
        "title": "8 Mart kent forumu: gençler söz alıyor",
        "summary": "Genç kadınların kent yönetimine önerilerini sunduğu açık forum.",
        "description": "Forumun sonuç bildirgesi meclise sunulacak.",
        "activity_type": "event",
        "district": "Konak",
        "target_group": "Genç kadınlar",
        "expected_participants": 300,
        "estimated_budget": 20000,
    },
    {
        "org": 14,
        "partners": [6],
        "confirmed": [6],
        "day": 4,
        "themes": [1],
        "title": "“Emeğin Renkleri” resim sergisi",
        "summary": "Kadın ressamların emek temalı eserlerinden oluşan sergi.",
        "description": "Sergi iki hafta boyunca Urla'da açık kalacak.",
        "activity_type": "exhibition",
        "district": "Urla",
        "target_group": "Kent halkı",
        "expected_participants": 1500,
        "estimated_budget": 18000,
    },
    {
        "org": 26,
        "partners": [],
        "confirmed": [],
        "day": 5,
        "themes": [2],
        "title": "Ortaokullarda eşitlik atölyeleri",
        "summary": "Öğretmenlerle birlikte toplumsal cinsiyet eşitliği atölyeleri.",
        "description": "Atölyeler il milli eğitim müdürlüğü onayıyla yapılacak.",
        "activity_type": "workshop",
        "district": "Dikili",
        "target_group": "Ortaokul öğrencileri",
        "expected_participants": 400,
        "estimated_budget": 15000,
    },
    {
        "org": 22,
        "partners": [],
        "confirmed": [],
        "day": 6,
        "themes": [0],
        "title": "Kadın işçiler için hak bilgilendirme broşürü",
        "summary": "Fabrikalarda çalışan kadınlara iş hukuku ve taciz başvuru yolları.",
        "description": "Broşür Türkçe ve Arapça basılacak.",
        "activity_type": "public_campaign",
        "district": "Kemalpaşa",
        "target_group": "Kadın işçiler",
        "expected_participants": 5000,
        "estimated_budget": 9000,
    },
]

"""Theme suggestions, similar proposals and likely duplicates, from the proposals' words.

One well-known method for all three: TF-IDF vectors compared by cosine similarity
(Salton & Buckley 1988), over Turkish-normalised words. Everything is computed in
Python over a campaign's rows loaded in a few queries, so SQLite and PostgreSQL give
identical results; no model, no download, no network.

Text → words (:func:`words`): ``text.fold`` (Turkish casing: "İSTANBUL" = "istanbul",
"IŞIK" = "ışık"), the suffix after an apostrophe dropped ("Karşıyaka'da" →
"karşıyaka"), letters only, stop words out, then each word cut to its first
:data:`PREFIX` letters. Fixed-prefix truncation is the light stemmer Can et al.
("Information retrieval on Turkish texts", JASIST 2008) found as good as a full
morphological stemmer for Turkish: "kadınların", "kadınlara" and "kadınlar" all become
"kadın". On the demo data (``evaluate_suggestions``, leave-one-out) it beat both no
stemming and a suffix-stripping stemmer; see bench/RESULTS.md.

Weights: sublinear term frequency (1 + log tf) times smoothed inverse document
frequency over the campaign's published proposals, L2-normalised, so a cosine is a
plain dot product in [0, 1].

A theme's profile (Rocchio's centroid): its name and description in both languages
(weighted :data:`LABEL_WEIGHT`) plus the mean vector of the proposals already in it.
A proposal's suggestions are the themes whose profile is nearest, at least
:data:`MIN_SUGGESTION_SCORE`, never an archived theme nor one a moderator dismissed for
that proposal.

Similar proposals: the live proposals nearest to a title and text being written.
Likely duplicates: every pair of live proposals with cosine ≥ a threshold, found
exactly by the All-Pairs algorithm (Bayardo et al. 2007) instead of comparing all n²
pairs (see :func:`_similar_pairs`).

Interface: :func:`suggest_themes`, :func:`evaluate_suggestions`,
:func:`accept_suggestion`, :func:`dismiss_suggestion`, :func:`similar_proposals`,
:func:`likely_duplicates`, and :func:`words` (what counts as a word).
"""

from __future__ import annotations

import math
import re
from bisect import bisect_right
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from itertools import accumulate

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from auth.audit import record
from auth.models import User
from extensions import db
from proposals.models import (
    PUBLISHED_STATES,
    Campaign,
    Proposal,
    ProposalState,
    Theme,
    ThemeSuggestionDismissal,
    proposal_themes,
)
from proposals.themes import assign_themes
from text import fold

# Words cut to this many letters (0: no cutting). See the module docstring.
PREFIX = 5
# How much a theme's own name and description weigh against its proposals' mean vector.
LABEL_WEIGHT = 0.5
# A suggestion below this cosine is noise: not shown.
MIN_SUGGESTION_SCORE = 0.05
# Similar proposals shown while writing: below this they share a common word or two.
MIN_SIMILAR_SCORE = 0.12
# Pairs at or above this cosine are listed as likely duplicates.
DUPLICATE_THRESHOLD = 0.5
# Fewer letters than this in what is being written: nothing to compare yet.
MIN_QUERY_LETTERS = 4

# Proposals that still take part in the consultation; withdrawn and merged ones left it
# (a merged source's themes are its target's), so they get no suggestions and are not
# offered as similar or duplicates. Their text still teaches the themes.
LIVE_STATES = PUBLISHED_STATES - {ProposalState.withdrawn, ProposalState.merged}

# Turkish function words (conjunctions, postpositions, pronouns, question particles,
# light verbs and adverbs) and English ones for the themes' English names; folded.
STOP_WORDS = frozenset(
    """
    acaba ait altı ama ancak aslında ayrıca az bana bazı belki ben beni benim bile bir
    biraz birçok birkaç birlikte biz bize bizi bizim böyle bu buna bunda bundan bunu
    bunun burada çok çünkü da daha dahil de değil diğer diye dolayı en gibi göre hem
    hep hepsi her herhangi hiç için ile ilgili ise işte itibaren kadar karşı kendi
    kendisi kez ki kim kimse mı mi mu mü nasıl ne neden nerede niçin niye o olan olarak
    olacak olduğu olduğunu olması olmak olup on ona ondan onlar onu onun öyle şey şöyle
    şu şuna şunu tarafından tüm üzere var ve veya veyahut ya yani yine yoksa zaten
    aynı başka bazen beri boyunca sonra önce şekilde yoluyla arasında içinde üzerine
    üzerinde hakkında yapılacak yapmak yapılması edilecek etmek olsun sadece hâlâ
    a an and are as at be by for from in into is it its of on or our the their this
    to we with who what which will
    """.split()  # noqa: SIM905 - a word list reads better as text
)

_APOSTROPHE_SUFFIX = re.compile(r"['’‘`´]\w*")
_LETTERS = re.compile(r"[^\W\d_]+")

Vector = dict[str, float]


def words(text: str | None, prefix: int = PREFIX) -> list[str]:
    """The comparable words of ``text``: folded, letters only, no stop words, cut."""
    return _folded_words(fold(text), prefix)


def _folded_words(folded: str, prefix: int = PREFIX) -> list[str]:
    """:func:`words` of a text already folded (``Proposal.search_text``)."""
    folded = _APOSTROPHE_SUFFIX.sub("", folded)
    found = []
    for word in _LETTERS.findall(folded):
        if len(word) < 2 or word in STOP_WORDS:
            continue
        found.append(word[:prefix] if prefix else word)
    return found


def _theme_text(theme: Theme) -> str:
    return "\n".join((theme.name_tr, theme.name_en, theme.description_tr, theme.description_en))


class _Weights:
    """Inverse document frequencies of one campaign's published proposals."""

    def __init__(self, documents: Iterable[Sequence[str]]) -> None:
        df: Counter[str] = Counter()
        n = 0
        for document in documents:
            df.update(set(document))
            n += 1
        self.n = n
        self.df = df
        self._unknown = math.log(1 + n) + 1
        self._idf = {term: math.log((1 + n) / (1 + count)) + 1 for term, count in df.items()}

    def idf(self, term: str) -> float:
        return self._idf.get(term, self._unknown)

    def vector(self, document: Sequence[str]) -> Vector:
        """Sublinear tf × idf, L2-normalised; empty for a document without words."""
        vector = {t: (1 + math.log(c)) * self.idf(t) for t, c in Counter(document).items()}
        return _normalised(vector)


def _normalised(vector: Vector) -> Vector:
    norm = math.sqrt(sum(w * w for w in vector.values()))
    if norm == 0:
        return {}
    return {t: w / norm for t, w in vector.items()}


def cosine(a: Vector, b: Vector) -> float:
    """Dot product of two normalised vectors (iterating over the shorter one)."""
    if len(a) > len(b):
        a, b = b, a
    return sum(w * b.get(t, 0.0) for t, w in a.items())


# --- loading a campaign ----------------------------------------------------------------


@dataclass
class _Row:
    id: int
    state: ProposalState
    hidden: bool
    words: list[str]
    themes: set[int] = field(default_factory=set)
    vector: Vector = field(default_factory=dict)


@dataclass
class _Campaign:
    """A campaign's published proposals with their words and vectors, and its themes."""

    rows: dict[int, _Row]
    weights: _Weights
    themes: list[Theme]

    @classmethod
    def load(cls, campaign: Campaign) -> _Campaign:
        # search_text is the folded title, summary and description, kept by every write
        # (submission._apply): the same words, without folding 2,000 texts again.
        result = db.session.execute(
            select(Proposal.id, Proposal.state, Proposal.hidden_at, Proposal.search_text)
            .where(Proposal.campaign_id == campaign.id, Proposal.state.in_(PUBLISHED_STATES))
            .order_by(Proposal.id)
        )
        rows = {
            r.id: _Row(r.id, r.state, r.hidden_at is not None, _folded_words(r.search_text))
            for r in result
        }
        links = db.session.execute(
            select(proposal_themes.c.proposal_id, proposal_themes.c.theme_id)
            .join(Proposal, Proposal.id == proposal_themes.c.proposal_id)
            .where(Proposal.campaign_id == campaign.id)
        )
        for proposal_id, theme_id in links:
            if proposal_id in rows:
                rows[proposal_id].themes.add(theme_id)
        weights = _Weights(row.words for row in rows.values())
        for row in rows.values():
            row.vector = weights.vector(row.words)
        themes = list(
            db.session.scalars(
                select(Theme)
                .where(Theme.campaign_id == campaign.id)
                .order_by(Theme.position, Theme.id)
            )
        )
        return cls(rows, weights, themes)


# --- theme suggestions -----------------------------------------------------------------


@dataclass(frozen=True)
class Suggestion:
    theme: Theme
    score: float  # cosine similarity in [0, 1]

    @property
    def percent(self) -> int:
        return round(self.score * 100)


class _Profiles:
    """Each active theme's label vector and the sum of its proposals' vectors.

    Sums (not means) are kept so that leave-one-out evaluation can take one proposal
    out of a theme without rebuilding it.
    """

    def __init__(self, data: _Campaign) -> None:
        self.themes = [t for t in data.themes if t.archived_at is None]
        self.label = {t.id: data.weights.vector(words(_theme_text(t))) for t in self.themes}
        self.sums: dict[int, Vector] = {t.id: {} for t in self.themes}
        self.counts: dict[int, int] = dict.fromkeys(self.sums, 0)
        for row in data.rows.values():
            for theme_id in row.themes:
                if theme_id in self.sums:
                    _add(self.sums[theme_id], row.vector)
                    self.counts[theme_id] += 1

    def profile(self, theme_id: int, leave_out: _Row | None = None) -> Vector:
        total, count = self.sums[theme_id], self.counts[theme_id]
        if leave_out is not None and theme_id in leave_out.themes:
            total = dict(total)
            _add(total, leave_out.vector, -1.0)
            count -= 1
        combined = {t: LABEL_WEIGHT * w for t, w in self.label[theme_id].items()}
        if count > 0:
            _add(combined, _normalised(total), 1 - LABEL_WEIGHT)
        return _normalised(combined)

    def rank(
        self,
        vector: Vector,
        profiles: dict[int, Vector],
        excluded: set[int] = frozenset(),  # type: ignore[assignment]
    ) -> list[Suggestion]:
        """Every theme not excluded scoring at least the minimum, best first."""
        scored = [
            Suggestion(theme, cosine(vector, profiles[theme.id]))
            for theme in self.themes
            if theme.id not in excluded
        ]
        scored = [s for s in scored if s.score >= MIN_SUGGESTION_SCORE]
        # Ties keep the themes' own order (position, id): the same on every database.
        scored.sort(key=lambda s: -s.score)
        return scored


def _add(total: Vector, vector: Vector, factor: float = 1.0) -> None:
    for term, weight in vector.items():
        total[term] = total.get(term, 0.0) + factor * weight


def suggest_themes(
    campaign: Campaign, proposals: Iterable[int | Proposal] | None = None, limit: int = 3
) -> dict[int, list[Suggestion]]:
    """Up to ``limit`` suggested themes for each live published proposal without a theme.

    ``proposals`` narrows the answer to those proposals (ids or objects); proposals
    that have a theme, are drafts, withdrawn, merged or of another campaign are left
    out. A proposal with no suggestion good enough maps to an empty list. Dismissed
    (proposal, theme) pairs and archived themes are never suggested.
    """
    data = _Campaign.load(campaign)
    wanted = None if proposals is None else {getattr(p, "id", p) for p in proposals}
    candidates = [
        row
        for row in data.rows.values()
        if not row.themes and row.state in LIVE_STATES and (wanted is None or row.id in wanted)
    ]
    if not candidates:
        return {}
    dismissed: dict[int, set[int]] = defaultdict(set)
    for proposal_id, theme_id in db.session.execute(
        select(ThemeSuggestionDismissal.proposal_id, ThemeSuggestionDismissal.theme_id)
        .join(Proposal, Proposal.id == ThemeSuggestionDismissal.proposal_id)
        .where(Proposal.campaign_id == campaign.id)
    ):
        dismissed[proposal_id].add(theme_id)
    built = _Profiles(data)
    profiles = {t.id: built.profile(t.id) for t in built.themes}
    return {
        row.id: built.rank(row.vector, profiles, dismissed.get(row.id, set()))[:limit]
        for row in candidates
    }


def accept_suggestion(proposal: Proposal, theme: Theme, actor: User, now: datetime) -> bool:
    """Give ``proposal`` the suggested ``theme``; False if it had it already.

    Through :func:`proposals.themes.assign_themes`, so accepting a suggestion is held to
    the board's rules (a published proposal and an active theme of the same campaign,
    else :class:`~auth.errors.DomainError`) and audited the same way.
    """
    return assign_themes(proposal.campaign, [proposal.id], [theme.id], True, actor, now) > 0


def dismiss_suggestion(proposal: Proposal, theme: Theme, actor: User, now: datetime) -> bool:
    """Never suggest ``theme`` for ``proposal`` again; False if it was dismissed already.

    Only the suggestion goes: a moderator can still give the theme on the board.
    """
    if theme.campaign_id != proposal.campaign_id:
        raise ValueError("the theme and the proposal belong to different campaigns")
    if db.session.get(ThemeSuggestionDismissal, (proposal.id, theme.id)) is not None:
        return False
    db.session.add(
        ThemeSuggestionDismissal(
            proposal_id=proposal.id, theme_id=theme.id, dismissed_by_id=actor.id, dismissed_at=now
        )
    )
    record(actor, "theme_suggestion.dismiss", proposal, None, {"theme_id": theme.id})
    db.session.flush()
    return True


@dataclass(frozen=True)
class Evaluation:
    """How well suggestions find the themes moderators chose (leave-one-out)."""

    proposals: int  # themed proposals predicted
    top1_hits: int  # the first suggestion is one of the proposal's themes
    top3_found: int  # assigned themes found among the first three suggestions
    assigned: int  # assigned themes in all

    @property
    def top1_accuracy(self) -> float:
        return self.top1_hits / self.proposals if self.proposals else 0.0

    @property
    def top3_recall(self) -> float:
        return self.top3_found / self.assigned if self.assigned else 0.0

    def __add__(self, other: Evaluation) -> Evaluation:
        return Evaluation(
            self.proposals + other.proposals,
            self.top1_hits + other.top1_hits,
            self.top3_found + other.top3_found,
            self.assigned + other.assigned,
        )


def evaluate_suggestions(campaign: Campaign) -> Evaluation:
    """Hide each themed proposal's themes in turn, predict them, count what was found.

    The proposal leaves its themes' profiles while it is predicted (its own text must
    not vote for its answer); archived themes are neither predicted nor counted;
    dismissals are ignored (they are moderators' answers, not the method's).
    """
    data = _Campaign.load(campaign)
    built = _Profiles(data)
    active = set(built.sums)
    full = {t: built.profile(t) for t in active}
    hits = found = assigned = n = 0
    for row in data.rows.values():
        truth = row.themes & active
        if not truth:
            continue
        profiles = {**full, **{t: built.profile(t, leave_out=row) for t in truth}}
        ranked = built.rank(row.vector, profiles)[:3]
        n += 1
        assigned += len(truth)
        hits += bool(ranked) and ranked[0].theme.id in truth
        found += len(truth & {s.theme.id for s in ranked})
    return Evaluation(n, hits, found, assigned)


# --- similar proposals and duplicates -----------------------------------------------------


def similar_proposals(
    campaign: Campaign,
    title: str,
    text: str,
    exclude_id: int | None = None,
    limit: int = 5,
    *,
    include_hidden: bool = False,
) -> list[tuple[Proposal, float]]:
    """Live published proposals of ``campaign`` most like the text being written.

    Too little text (fewer than :data:`MIN_QUERY_LETTERS` letters in words that count)
    gives an empty list: nothing is compared yet. Hidden proposals only when
    ``include_hidden`` (moderators); drafts never.
    """
    query = words(f"{title}\n{text}")
    if not _enough(query):
        return []
    data = _Campaign.load(campaign)
    vector = data.weights.vector(query)
    scored = [
        (row.id, cosine(vector, row.vector))
        for row in data.rows.values()
        if row.state in LIVE_STATES and row.id != exclude_id and (include_hidden or not row.hidden)
    ]
    scored = [(i, s) for i, s in scored if s >= MIN_SIMILAR_SCORE]
    scored.sort(key=lambda pair: (-pair[1], pair[0]))
    scored = scored[:limit]
    found = _proposals(i for i, _ in scored)
    return [(found[i], s) for i, s in scored]


def enough_to_compare(text: str) -> bool:
    """True when ``text`` has words enough to look for similar proposals at all."""
    return _enough(words(text))


def _enough(found: list[str]) -> bool:
    return sum(len(w) for w in found) >= MIN_QUERY_LETTERS


def likely_duplicates(
    campaign: Campaign, threshold: float = DUPLICATE_THRESHOLD, limit: int | None = None
) -> list[tuple[Proposal, Proposal, float]]:
    """Pairs of live published proposals with cosine ≥ ``threshold``, most similar first.

    Exact (no pair at or above the threshold is missed) and well below n² work: see
    :func:`_similar_pairs`. The older proposal of a pair comes first.
    """
    data = _Campaign.load(campaign)
    live = {i: row.vector for i, row in data.rows.items() if row.state in LIVE_STATES}
    pairs = _similar_pairs(live, data.weights, threshold)
    pairs.sort(key=lambda p: (-p[2], p[0], p[1]))
    if limit is not None:
        pairs = pairs[:limit]
    found = _proposals(i for a, b, _ in pairs for i in (a, b))
    return [(found[a], found[b], score) for a, b, score in pairs]


def _similar_pairs(
    vectors: dict[int, Vector], weights: _Weights, threshold: float
) -> list[tuple[int, int, float]]:
    """(a, b, cosine) with a < b for every pair at or above ``threshold``.

    The All-Pairs algorithm (Bayardo, Ma & Srikant, "Scaling up all pairs similarity
    search", WWW 2007), exact. Words are ranked from the most common in the campaign to
    the rarest. Each vector, taken in turn, sets aside its head, the longest run of its
    most common words that cannot add up to the threshold to any dot product (the
    head's norm bounds it, by Cauchy–Schwarz for unit vectors); only the rest, the
    signature, goes into an inverted index. A later vector at or above the threshold
    with it must share a signature word, so it meets it in the index, which sums their
    dot product over the signature. What the head adds is at most the head's norm times
    the later vector's norm over words as common as the head's rarest; only candidates
    that can still reach the threshold get it added exactly. The work follows the
    rarer words' postings instead of the n² pairs.
    """
    if threshold <= 0:
        raise ValueError("the threshold must be positive")
    order = sorted(weights.df, key=lambda t: (-weights.df[t], t))
    rank = {term: n for n, term in enumerate(order)}
    index: dict[str, list[tuple[int, float]]] = defaultdict(list)
    heads: dict[int, tuple[list[tuple[str, float]], float, int]] = {}
    pairs = []
    for i in sorted(vectors):
        vector = vectors[i]
        terms = sorted(vector, key=rank.__getitem__)
        ranks = [rank[t] for t in terms]
        cumulative = list(accumulate(vector[t] * vector[t] for t in terms))
        partial: dict[int, float] = defaultdict(float)
        for term, weight in vector.items():
            for j, other in index.get(term, ()):
                partial[j] += weight * other
        for j, score in partial.items():
            head, head_norm, last = heads[j]
            if head:
                k = bisect_right(ranks, last)
                reach = head_norm * math.sqrt(cumulative[k - 1]) if k else 0.0
                if score + reach < threshold:
                    continue
                score += sum(vector.get(term, 0.0) * other for term, other in head)
            if score >= threshold:
                pairs.append((j, i, score))
        split, norm = 0, 0.0
        while split < len(terms):
            weight = vector[terms[split]]
            if norm + weight * weight >= threshold * threshold:
                break
            norm += weight * weight
            split += 1
        heads[i] = (
            [(t, vector[t]) for t in terms[:split]],
            math.sqrt(norm),
            ranks[split - 1] if split else -1,
        )
        for term in terms[split:]:
            index[term].append((i, vector[term]))
    return pairs


def _proposals(ids: Iterable[int]) -> dict[int, Proposal]:
    wanted = set(ids)
    if not wanted:
        return {}
    found = db.session.scalars(
        select(Proposal).where(Proposal.id.in_(wanted)).options(selectinload(Proposal.organization))
    )
    return {p.id: p for p in found}

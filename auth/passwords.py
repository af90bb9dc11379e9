"""Password policy: long, and not one that attackers try first."""

from __future__ import annotations

import re
from functools import cache

from flask_babel import lazy_gettext as _l
from zxcvbn.frequency_lists import FREQUENCY_LISTS

from text import fold

MIN_LENGTH = 12
COMMON_LIST_SIZE = 10_000

# Turkish letters as they are typed on an English keyboard. "IZMIR" folds (the Turkish way)
# to "ızmır", "Yilmaz" stays "yilmaz": comparing skeletons catches every spelling of a word.
_ASCII_LETTERS = str.maketrans("ıçğöşüâîû", "icgosuaiu")


def _skeleton(text: str) -> str:
    """Turkish-folded, then written without Turkish letters: "İZMİR", "IZMIR" → "izmir"."""
    return fold(text).translate(_ASCII_LETTERS)


# Words an attacker who knows this platform would try first, as skeletons.
CONTEXT_WORDS = frozenset(
    _skeleton(w)
    for w in (
        "ortak", "izmir", "İzmir", "belediye", "büyükşehir", "kadın", "kadin", "şiddet",
        "siddet", "dayanışma", "dayanisma", "kasım", "kasim", "mart", "turuncu", "sivil",
        "toplum", "dernek", "vakıf", "vakif", "türkiye", "turkiye", "istanbul", "ankara",
        "parola", "şifre", "sifre", "password", "qwerty", "aile",
    )
)  # fmt: skip


@cache
def common_passwords() -> frozenset[str]:
    """The 10,000 most common passwords, from the list zxcvbn ships (ordered by frequency)."""
    return frozenset(FREQUENCY_LISTS["passwords"][:COMMON_LIST_SIZE])


def _core(password: str) -> str:
    """The letters left once digits, punctuation and repetition padding are stripped."""
    return re.sub(r"[\W\d_]+", "", _skeleton(password))


def password_problem(password: str, *, email: str = "", name: str = "") -> str | None:
    """Return why ``password`` is refused, or None when it is acceptable."""
    if len(password) < MIN_LENGTH:
        return str(_l("Use at least %(n)d characters.", n=MIN_LENGTH))
    folded = _skeleton(password)
    core = _core(password)
    personal = {_skeleton(part) for part in re.split(r"[\W_]+", f"{email.split('@')[0]} {name}")}
    personal = {p for p in personal if len(p) >= 3}
    words = common_passwords()
    if (
        folded in words
        or core in words
        or core in CONTEXT_WORDS
        or (core and len(set(core)) <= 2)
        or (not core and len(set(folded)) <= 4)
        or _only_words(core, CONTEXT_WORDS | personal)
    ):
        return str(
            _l(
                "This password is too easy to guess: it is common, or made of the site's, "
                "the city's or your own name. Choose a longer phrase of unrelated words."
            )
        )
    return None


def _only_words(core: str, words: frozenset[str] | set[str]) -> bool:
    """True when ``core`` is nothing but repetitions of known words (e.g. "izmirizmir")."""
    if not core:
        return False
    reachable = [True] + [False] * len(core)
    for end in range(1, len(core) + 1):
        reachable[end] = any(
            reachable[end - len(w)] and core[end - len(w) : end] == w
            for w in words
            if len(w) <= end
        )
    return reachable[-1]

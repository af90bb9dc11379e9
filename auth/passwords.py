"""Passwords: the policy (long, and not one that attackers try first) and the hashing
(argon2id, memory-hard, rehashed at sign-in when the parameters change)."""

from __future__ import annotations

import re
import secrets
from functools import cache
from itertools import product

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app, has_app_context
from flask_babel import lazy_gettext as _l
from werkzeug.security import check_password_hash
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


# What "leetspeak" writes for a letter: "P@ssw0rd" is "password" to anyone who guesses.
# 1, ! and | stand for i or for l; the other signs for one letter each.
_LEET: dict[str, str] = {
    "@": "a", "4": "a", "8": "b", "(": "c", "3": "e", "€": "e", "6": "g", "9": "g",
    "#": "h", "1": "il", "!": "il", "|": "il", "0": "o", "$": "s", "5": "s", "7": "t",
    "+": "t",
}  # fmt: skip
_MAX_PADDING = 16  # digits and signs tried off each end ("2026!", "123", "!!")
_LEADING = re.compile(r"[\W\d_]*")
_TRAILING = re.compile(r"[\W\d_]*$")
_MAX_AMBIGUOUS = 4  # 2**4 spellings at most; beyond, every 1/!/| is read one way or the other


def _deleet_variants(text: str) -> set[str]:
    """Every reading of ``text`` with its leetspeak signs turned back into letters."""
    ambiguous = [i for i, c in enumerate(text) if len(_LEET.get(c, "")) > 1]
    plain = "".join(_LEET.get(c, c)[0] if len(_LEET.get(c, "")) == 1 else c for c in text)
    if len(ambiguous) > _MAX_AMBIGUOUS:
        choices: list[tuple[str, ...]] = [("i",) * len(ambiguous), ("l",) * len(ambiguous)]
    else:
        choices = list(product("il", repeat=len(ambiguous)))
    variants = set()
    for letters in choices:
        chars = list(plain)
        for position, letter in zip(ambiguous, letters, strict=True):
            chars[position] = letter
        variants.add("".join(chars))
    return variants


def _unrepeated(text: str) -> str:
    """The shortest piece ``text`` repeats: "hellohellohello" → "hello"."""
    for size in range(1, len(text) // 2 + 1):
        if len(text) % size == 0 and text[:size] * (len(text) // size) == text:
            return text[:size]
    return text


def _unpadded(folded: str) -> set[str]:
    """``folded`` without some of the digits and signs at either end: "hell02026!" gives
    "hell02026!", …, "hell0" and "hell" (the 0 may be padding or a letter). At most
    ``_MAX_PADDING`` characters come off each end."""
    lead = _LEADING.match(folded).end()  # type: ignore[union-attr]
    trail = len(folded) - _TRAILING.search(folded).start()  # type: ignore[union-attr]
    # Without any letter ("8@931$2026"), every sign may be a letter or padding alike.
    pieces = {
        folded[start : len(folded) - end]
        for start in range(min(lead, _MAX_PADDING) + 1)
        for end in range(min(trail, _MAX_PADDING) + 1)
    }
    pieces.discard("")
    return pieces


def _readings(password: str) -> set[str]:
    """What an attacker's dictionary rules would turn this password back into: the word
    under the leetspeak, with the year and the "!" that policies ask for taken off."""
    readings = set()
    for text in _unpadded(_skeleton(password)):
        for variant in _deleet_variants(text):
            letters = re.sub(r"[\W\d_]+", "", variant)
            readings.update((variant, letters, _unrepeated(letters)))
    readings.discard("")
    return readings


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
        or not _readings(password).isdisjoint(words)
        or _only_leet_words(folded, CONTEXT_WORDS | personal)
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


def _leet_matches(segment: str, word: str) -> bool:
    return all(c == w or w in _LEET.get(c, "") for c, w in zip(segment, word, strict=True))


def _only_leet_words(folded: str, words: frozenset[str] | set[str]) -> bool:
    """True when ``folded`` is known words, possibly in leetspeak ("1zm1r"), with only
    digits and punctuation between them ("$iddet 25 k@s1m"): at least one word, no
    other letter."""
    n = len(folded)
    # bare[i]: the first i characters are separators only; worded[i]: words and separators.
    bare = [True] + [False] * n
    worded = [False] * (n + 1)
    for i in range(n):
        if not (bare[i] or worded[i]):
            continue
        if not folded[i].isalpha():  # a separator, even a sign that could be a letter
            bare[i + 1] = bare[i + 1] or bare[i]
            worded[i + 1] = worded[i + 1] or worded[i]
        for word in words:
            end = i + len(word)
            if end <= n and _leet_matches(folded[i:end], word):
                worded[end] = True
    return worded[n]


# --- hashing ---------------------------------------------------------------------------

# argon2id with 64 MiB and three passes (the RFC 9106 low-memory profile), one lane: the
# server has few cores and several people may sign in at once. Configuration can raise
# them (ARGON2_TIME_COST, ARGON2_MEMORY_COST in KiB, ARGON2_PARALLELISM); stored hashes
# follow at each one's next sign-in.
ARGON2_DEFAULTS = {"ARGON2_TIME_COST": 3, "ARGON2_MEMORY_COST": 65536, "ARGON2_PARALLELISM": 1}


@cache
def _hasher_with(time_cost: int, memory_cost: int, parallelism: int) -> PasswordHasher:
    return PasswordHasher(time_cost=time_cost, memory_cost=memory_cost, parallelism=parallelism)


def _hasher() -> PasswordHasher:
    config = current_app.config if has_app_context() else {}
    time_cost, memory_cost, parallelism = (
        int(config.get(name, default)) for name, default in ARGON2_DEFAULTS.items()
    )
    return _hasher_with(time_cost, memory_cost, parallelism)


def hash_password(password: str) -> str:
    """An argon2id hash of ``password`` with the configured parameters and a fresh salt."""
    return _hasher().hash(password)


def verify_password(stored: str, password: str) -> bool:
    """Whether ``password`` matches ``stored``: argon2id, or an older werkzeug hash
    (scrypt, pbkdf2) from before argon2 came, which the next sign-in replaces."""
    if stored.startswith("$argon2"):
        try:
            return _hasher().verify(stored, password)
        except (VerificationError, InvalidHashError):
            return False
    try:
        return check_password_hash(stored, password)
    except ValueError:  # not a hash at all (e.g. an erased account's placeholder)
        return False


def needs_rehash(stored: str) -> bool:
    """True for a hash that is not argon2id with today's parameters."""
    if not stored.startswith("$argon2id$"):
        return True
    try:
        return _hasher().check_needs_rehash(stored)
    except InvalidHashError:
        return True


@cache
def _dummy_hash(time_cost: int, memory_cost: int, parallelism: int) -> str:
    return _hasher_with(time_cost, memory_cost, parallelism).hash(secrets.token_hex(16))


def verify_nothing(password: str) -> None:
    """Spend the time a real check costs, for an unknown address: the answer's timing
    does not tell whether the address has an account."""
    hasher = _hasher()
    verify_password(_dummy_hash(hasher.time_cost, hasher.memory_cost, hasher.parallelism), password)

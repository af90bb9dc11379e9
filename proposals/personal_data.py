"""The personal-data guard: text that looks like someone's personal data, pointed out before
it is published.

The topic invites stories about real people, and a phone number or a home address in a
public proposal can put a survivor at risk. Before a proposal is submitted (or edited after
submission) and before a comment is posted (or edited), its text is scanned; the writer
sees what was found, masked, and either edits it out or confirms that it may be published
(an organisation's own phone line is fine). Confirmed kinds are kept on the proposal or
comment so that moderators can look at them (``personal_data_views``).

Precision matters more than recall here: a guard that cries wolf on every date, budget or
law number teaches people to tick the box without reading. So each kind is narrow:

- ``tc_kimlik`` — 11 digits, the first not 0, both check digits right (the official
  algorithm), not part of a longer run of digits. A random 11-digit number passes 1 in 100.
- ``phone`` — Turkish mobiles (5xx) and landlines with a geographic area code, with the
  +90 / 0090 / 0 prefixes and the usual spaces, dots, dashes and parentheses. Not personal,
  and so left alone: short public numbers (ALO 183, 112, 155), ``444 xx xx`` lines and the
  non-geographic ``0850`` / ``0800`` / ``0900`` numbers, which are by allocation company
  and service lines, not somebody's phone. Ten bare digits count only for a mobile (a
  landline is written with its 0 or with spaces), and ten digits right after "vergi",
  "VKN", "MERSİS", "sicil" and the like are an organisation's registry number.
- ``email`` — any address except the generic mailboxes organisations publish (``bilgi@``,
  ``info@``, ``iletisim@`` …), which name no person.
- ``iban`` — ``TR`` and 24 digits (spaces allowed), mod-97 check verified.
- ``address`` — a street word (Mahallesi/Mah., Sokak/Sok./Sk., Caddesi/Cad./Cd.,
  Bulvarı/Blv., Apartmanı/Apt.) followed closely by a door number (No: 5, No. 5, Numara 5,
  Daire 3, D: 3, Kat 2, or 12/3 right after the street word). A street word alone
  ("Atatürk Caddesi'nde bir yürüyüş") or a floor alone ("3. Kat salonu") is not an address.

Functions here take plain text and values, never a request; ``find_personal_data`` is pure.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from flask_babel import lazy_gettext as _l
from markupsafe import Markup, escape

from auth.errors import DomainError
from auth.permissions import Permission, can
from text import fold

TC_KIMLIK, PHONE, EMAIL, IBAN, ADDRESS = "tc_kimlik", "phone", "email", "iban", "address"
# Also the order in which overlapping matches are settled: an IBAN's digits are not a phone.
KINDS = (IBAN, EMAIL, TC_KIMLIK, PHONE, ADDRESS)

KIND_LABELS: dict[str, Any] = {
    TC_KIMLIK: _l("T.C. identity number"),
    PHONE: _l("Phone number"),
    EMAIL: _l("Email address"),
    IBAN: _l("IBAN"),
    ADDRESS: _l("Street address"),
}

# The texts of a proposal the guard reads (a comment has only its body).
PROPOSAL_TEXTS = ("title", "summary", "description", "target_group")
# The two fields a form carries back: the confirmation box, and what the writer was shown.
CONFIRM_FIELD = "confirm_personal_data"
SEEN_FIELD = "personal_data_seen"


def kind_label(kind: str) -> str:
    return str(KIND_LABELS.get(kind, kind))


@dataclass(frozen=True)
class Finding:
    """One match: its kind, where it is in the text, and an excerpt safe to show."""

    kind: str
    start: int
    end: int
    excerpt_masked: str


# --- T.C. kimlik numarası -------------------------------------------------------------------

_TC = re.compile(r"(?<!\d)(?<!\d[.,])[1-9]\d{10}(?!\d)(?![.,]\d)")


def tc_kimlik_valid(number: str) -> bool:
    """The official check: d10 = ((d1+d3+d5+d7+d9)*7 - (d2+d4+d6+d8)) mod 10,
    d11 = (d1+…+d10) mod 10; eleven digits, the first not 0."""
    if len(number) != 11 or not number.isascii() or not number.isdigit() or number[0] == "0":
        return False
    d = [int(c) for c in number]
    odd, even = sum(d[0:9:2]), sum(d[1:8:2])
    return (odd * 7 - even) % 10 == d[9] and sum(d[:10]) % 10 == d[10]


def _find_tc(text: str) -> Iterable[Finding]:
    for match in _TC.finditer(text):
        number = match.group()
        if tc_kimlik_valid(number):
            yield Finding(TC_KIMLIK, match.start(), match.end(), number[:2] + "*" * 7 + number[-2:])


# --- phone numbers --------------------------------------------------------------------------

# Geographic area codes (BTK's numbering plan), and 392 for Northern Cyprus.
_AREA_CODE_TEXT = """
    212 216 222 224 226 228 232 236 242 246 248 252 256 258 262 264 266 272 274 276 282 284
    286 288 312 318 322 324 326 328 332 338 342 344 346 348 352 354 356 358 362 364 366 368
    370 372 374 376 378 380 382 384 386 388 392 412 414 416 422 424 426 428 432 434 436 438
    442 446 452 454 456 458 462 464 466 472 474 476 478 482 484 486 488"""
_AREA_CODES = frozenset(_AREA_CODE_TEXT.split())
_SEP = r"[ .\-]?"
_PHONE = re.compile(
    r"(?<![\w+])"  # not glued to a word, a longer number or a plus
    r"(?P<country>(?:\+|00)[ ]?90[ .\-]?|90[ .\-]?)?"
    r"(?:\([ ]?(?P<zero1>0)?[ ]?(?P<area1>\d{3})[ ]?\)|(?P<zero2>0)?[ ]?(?P<area2>\d{3}))"
    + _SEP
    + r"(?P<a>\d{3})"
    + _SEP
    + r"(?:(?P<b>\d{2})"
    + _SEP
    + r"(?P<c>\d{2})|(?P<d>\d{4}))"
    r"(?!\d)(?![.,]\d)"
)


def phone_area_personal(area: str) -> bool:
    """Mobiles and geographic landlines; not 444, 850, 800, 900 (service and company lines)."""
    return area in _AREA_CODES or (area[0] == "5" and (area[1] in "012345" or area == "561"))


# Ten digits after these words are an organisation's tax or registry number, not a phone.
_REGISTRY_WORDS = re.compile(r"(?<!\w)(?:vergi|vkn|v\.d\.|mersis|sicil)")


def _find_phone(text: str) -> Iterable[Finding]:
    for match in _PHONE.finditer(text):
        area = match.group("area1") or match.group("area2")
        if not phone_area_personal(area):
            continue
        prefixed = any(match.group(g) for g in ("country", "zero1", "zero2"))
        # "3120458796" is more often a tax number than a landline written without its 0.
        if not prefixed and area[0] != "5" and match.group().isdigit():
            continue
        if not prefixed and _REGISTRY_WORDS.search(
            fold(text[max(0, match.start() - 30) : match.start()])
        ):
            continue
        last = match.group("c") or match.group("d")[-2:]
        yield Finding(PHONE, match.start(), match.end(), f"0{area} *** ** {last}")


def _phone_digits(raw: str) -> str:
    """The national ten digits of a matched phone number, for comparing two spellings."""
    digits = re.sub(r"\D", "", raw)
    return digits[-10:]


# --- email addresses ------------------------------------------------------------------------

_EMAIL = re.compile(
    r"(?<![\w.+\-])(?P<local>[\w.+\-]+)@(?P<domain>[\w\-]+(?:\.[\w\-]+)*\.[A-Za-z]{2,})(?![\w\-@])"
)
# Mailboxes that organisations publish; they name an office, not a person.
_ROLE_MAILBOX_TEXT = """bilgi info iletisim contact basvuru destek sekreterya sekreterlik kvkk
    bilgiedinme halklailiskiler basin press webmaster noreply no-reply"""
_ROLE_MAILBOXES = frozenset(_ROLE_MAILBOX_TEXT.split())


def _find_email(text: str) -> Iterable[Finding]:
    for match in _EMAIL.finditer(text):
        local, domain = match.group("local"), match.group("domain")
        if fold(local) in _ROLE_MAILBOXES:
            continue
        first, _dot, rest = domain.partition(".")
        masked = f"{local[0]}***@{first[0]}***.{rest}"
        yield Finding(EMAIL, match.start(), match.end(), masked)


# --- IBAN -----------------------------------------------------------------------------------

_IBAN = re.compile(r"(?<![\w])[Tt][Rr][ ]?\d\d(?:[ ]?\d){22}(?!\d)")


def iban_valid(iban: str) -> bool:
    """ISO 13616: move the first four characters to the end, letters to numbers, mod 97 = 1."""
    compact = re.sub(r"\s", "", iban).upper()
    if not re.fullmatch(r"TR\d{24}", compact):
        return False
    rearranged = compact[4:] + compact[:4]
    number = "".join(str(int(c, 36)) for c in rearranged)
    return int(number) % 97 == 1


def _find_iban(text: str) -> Iterable[Finding]:
    for match in _IBAN.finditer(text):
        raw = match.group()
        if iban_valid(raw):
            compact = re.sub(r"\s", "", raw).upper()
            masked = f"{compact[:4]} **** **** **** **** **{compact[-2:]}"
            yield Finding(IBAN, match.start(), match.end(), masked)


# --- street addresses -----------------------------------------------------------------------

_STREET_WORDS = (
    r"mahallesi|mah\.|mh\.|sokak|sokağı|sok\.|sk\.|caddesi|cadde|cad\.|cd\."
    r"|bulvarı|bulvar|bulv\.|blv\.|apartmanı|apt\."
)
_STREET = re.compile(rf"(?<!\w)(?:{_STREET_WORDS})(?!\w)")
# A door number: what makes a street an address. "Kat 2" only continues one ("No: 5 Kat 2"),
# so that "the hall on Kat 2 of the centre on Atatürk Caddesi" stays a venue, not a home.
_DOOR = re.compile(
    r"(?<!\w)(?:no|numara)[ ]?[:.]?[ ]?\d+[a-zçğıöşü]?(?:[ ]?/[ ]?\d+)?(?!\w)"
    r"|(?<!\w)daire[ ]?[:.]?[ ]?\d+(?!\w)"
    r"|(?<!\w)d[ ]?:[ ]?\d+(?!\w)"
)
_FURTHER = re.compile(rf"{_DOOR.pattern}|(?<!\w)kat[ ]?[:.]?[ ]?\d+(?!\w)")
_SLASH_NUMBER = re.compile(r"[ ]*\d+[ ]?/[ ]?\d+(?!\w)")
_ADDRESS_REACH = 50  # characters between a street word and its door number, at most
_FURTHER_DOOR = 12  # "No: 5 D: 3 Kat: 2": door parts that follow one another
_NAME_WORDS = 3  # words before the street word taken as its name ("Kıbrıs Şehitleri Cad.")
_KEYWORD_TEXT = """
    mahallesi mah. mh. sokak sokağı sok. sk. caddesi cadde cad. cd. bulvarı bulvar bulv.
    blv. apartmanı apt. no no. numara daire kat d"""
_KEYWORDS = frozenset(_KEYWORD_TEXT.split())


def fold_same_length(text: str) -> str:
    """``text.fold`` character by character, so that offsets in the result are the text's."""
    out = []
    for char in text:
        folded = fold(char)
        out.append(folded if len(folded) == 1 else char)
    return "".join(out)


def _sentence_ends(gap: str) -> bool:
    """True when a sentence ends in ``gap`` (a full stop after a word that is no street
    abbreviation, an exclamation or question mark, or a blank line)."""
    if "\n\n" in gap or re.search(r"[!?;]", gap):
        return True
    for match in re.finditer(r"(\S+)\.(?=\s|$)", gap):
        if fold(match.group(1)) + "." not in _KEYWORDS:
            return True
    return False


def _name_start(text: str, street_start: int) -> int:
    """Back over the street's name: up to three capitalised words or numbers before it."""
    start = street_start
    words = list(re.finditer(r"[\w'’/]+[ ]*", text[:street_start]))
    for match in words[::-1][:_NAME_WORDS]:
        if match.end() != start or not (match.group()[0].isupper() or match.group()[0].isdigit()):
            break
        start = match.start()
    return start


def _mask_address(raw: str) -> str:
    def one(token: re.Match[str]) -> str:
        word = token.group()
        if fold(word) in _KEYWORDS or not word[0].isalnum():
            return word
        if word[0].isdigit():
            return "*" * min(len(word), 3)
        return word[0] + "***"

    masked = re.sub(r"[^\s:.,/]+\.?|\S", one, raw)
    return " ".join(masked.split())


def _find_address(text: str) -> Iterable[Finding]:
    folded = fold_same_length(text)
    doors = list(_FURTHER.finditer(folded))
    taken_until = -1
    for street in _STREET.finditer(folded):
        if street.start() < taken_until:
            continue
        end = None
        slash = _SLASH_NUMBER.match(folded, street.end())
        if slash:
            end = slash.end()
        for door in doors:
            if door.start() < (end or street.end()):
                continue
            if end is None:
                gap = text[street.end() : door.start()]
                if (
                    len(gap) > _ADDRESS_REACH
                    or _sentence_ends(gap)
                    or not _DOOR.fullmatch(door.group())
                ):
                    break
            elif door.start() - end > _FURTHER_DOOR or _sentence_ends(text[end : door.start()]):
                break
            end = door.end()
        if end is None:
            continue
        start = _name_start(text, street.start())
        taken_until = end
        yield Finding(ADDRESS, start, end, _mask_address(text[start:end]))


# --- all together ---------------------------------------------------------------------------

_FINDERS = {
    IBAN: _find_iban,
    EMAIL: _find_email,
    TC_KIMLIK: _find_tc,
    PHONE: _find_phone,
    ADDRESS: _find_address,
}


def find_personal_data(text: str | None) -> list[Finding]:
    """What in ``text`` looks like personal data, in reading order, never overlapping."""
    if not text:
        return []
    kept: list[Finding] = []
    for kind in KINDS:
        for finding in _FINDERS[kind](text):
            if not any(finding.start < k.end and k.start < finding.end for k in kept):
                kept.append(finding)
    return sorted(kept, key=lambda f: f.start)


def kinds_of(findings: Iterable[Finding]) -> list[str]:
    """The distinct kinds, in the fixed order of ``KINDS`` (what is stored on an item)."""
    present = {f.kind for f in findings}
    return [kind for kind in KINDS if kind in present]


def signature(text: str, finding: Finding) -> str:
    """A short fingerprint of what was found, the same however it is spelled: the form
    carries it back so that a confirmation covers exactly what the writer was shown."""
    raw = text[finding.start : finding.end]
    if finding.kind == PHONE:
        value = _phone_digits(raw)
    elif finding.kind in (TC_KIMLIK, IBAN):
        value = re.sub(r"\s", "", raw).upper()
    else:
        value = " ".join(fold(raw).split())
    return hashlib.sha256(f"{finding.kind}:{value}".encode()).hexdigest()[:16]


# --- the guard a form goes through ----------------------------------------------------------


@dataclass(frozen=True)
class Row:
    """One line of the warning: where, what kind, and the masked excerpt."""

    field: str
    field_label: str
    kind: str
    kind_label: str
    excerpt: str


@dataclass
class Check:
    """The outcome of scanning a form's texts.

    ``pending`` is True while something found is neither confirmed now (the box ticked
    for exactly what was shown) nor confirmed before (kept from an earlier, confirmed text):
    then the form comes back with ``rows`` pointed out and ``signatures`` carried along.
    """

    findings: dict[str, list[Finding]]
    signatures: list[str]
    pending: bool
    newly_confirmed: bool
    confirmed: bool = False  # the box was ticked
    labels: dict[str, str] = field(default_factory=dict)

    @property
    def found(self) -> bool:
        return any(self.findings.values())

    @property
    def kinds(self) -> list[str]:
        return kinds_of(f for found in self.findings.values() for f in found)

    @property
    def rows(self) -> list[Row]:
        return [
            Row(name, self.labels.get(name, ""), f.kind, kind_label(f.kind), f.excerpt_masked)
            for name, found in self.findings.items()
            for f in found
        ]


def signatures_of(texts: Mapping[str, str | None]) -> dict[str, str]:
    """Signature → kind of everything found in these texts."""
    found: dict[str, str] = {}
    for text in texts.values():
        for finding in find_personal_data(text or ""):
            found[signature(text or "", finding)] = finding.kind
    return found


def previously_confirmed(
    texts: Mapping[str, str | None], confirmed_kinds: Iterable[str]
) -> set[str]:
    """The signatures in an item's stored text whose kinds its writer confirmed."""
    kinds = set(confirmed_kinds or ())
    return {sig for sig, kind in signatures_of(texts).items() if kind in kinds}


def check(
    texts: Mapping[str, str | None],
    *,
    confirmed: bool = False,
    seen: Iterable[str] = (),
    confirmed_before: Iterable[str] = (),
    labels: Mapping[str, Any] | None = None,
) -> Check:
    """Scan ``texts`` (field name → text) and say whether the writer still has to confirm.

    ``confirmed`` and ``seen`` are what the form sent back (the box, and the signatures of
    what it showed); ``confirmed_before`` are signatures already confirmed on this item.
    """
    seen_now = set(seen) if confirmed else set()
    before = set(confirmed_before)
    findings: dict[str, list[Finding]] = {}
    signatures: list[str] = []
    pending = newly = False
    for name, text in texts.items():
        found = find_personal_data(text or "")
        if not found:
            continue
        findings[name] = found
        for finding in found:
            sig = signature(text or "", finding)
            if sig not in signatures:
                signatures.append(sig)
            if sig in before:
                continue
            if sig in seen_now:
                newly = True
            else:
                pending = True
    return Check(
        findings=findings,
        signatures=signatures,
        pending=pending,
        newly_confirmed=newly,
        confirmed=confirmed,
        labels={k: str(v) for k, v in (labels or {}).items()},
    )


class Unconfirmed(DomainError):
    """Personal data found and not confirmed: the form comes back with it pointed out."""

    def __init__(self, result: Check) -> None:
        super().__init__(
            _l(
                "Please check the personal data pointed out next to your text: remove it, or "
                "confirm that it may be published."
            )
        )
        self.check = result


def shown(result: Check | None) -> Check | None:
    """What a form shows next to the text: the check while it holds data not confirmed
    before, also when the form comes back for another reason (the box keeps its tick)."""
    return result if result is not None and (result.pending or result.newly_confirmed) else None


def require_confirmation(result: Check | None) -> None:
    """Raise :class:`Unconfirmed` while something found still waits for the writer."""
    if result is not None and result.pending:
        raise Unconfirmed(result)


def answer(form: Mapping[str, Any]) -> dict[str, Any]:
    """``confirmed`` and ``seen`` as a form (e.g. ``request.form``) sent them, for ``check``."""
    getlist = getattr(form, "getlist", None)
    seen = getlist(SEEN_FIELD) if getlist else form.get(SEEN_FIELD, ())
    return {"confirmed": form.get(CONFIRM_FIELD) in ("1", "y", "on", "true"), "seen": seen}


def flag(item: Any, result: Check | None, user: Any, now: datetime) -> None:
    """Keep on a proposal or comment the kinds its writer confirmed publishing.

    Newly confirmed data waits for a moderator (``personal_data_reviewed_at`` cleared), unless
    the writer is a moderator or organiser: their confirmation is itself the review.
    """
    if result is None:
        return
    item.personal_data = result.kinds
    if result.newly_confirmed:
        item.personal_data_reviewed_at = now if can(user, Permission.moderate) else None


# --- showing findings to moderators ---------------------------------------------------------

CONTEXT = 80  # characters shown around a finding


def highlight(text: str, findings: list[Finding] | None = None, context: int = CONTEXT) -> Markup:
    """The passages of ``text`` around its findings, each finding in ``<mark>``, escaped."""
    findings = find_personal_data(text) if findings is None else findings
    if not findings:
        return Markup("")
    # Windows around each finding, merged when they touch.
    windows: list[list[int]] = []
    for f in findings:
        lo, hi = max(0, f.start - context), min(len(text), f.end + context)
        if windows and lo <= windows[-1][1]:
            windows[-1][1] = max(windows[-1][1], hi)
        else:
            windows.append([lo, hi])
    parts: list[Markup] = []
    for lo, hi in windows:
        piece = Markup("…") if lo > 0 else Markup("")
        cursor = lo
        for f in findings:
            if f.start < lo or f.end > hi:
                continue
            piece += escape(text[cursor : f.start])
            piece += Markup('<mark title="{}">{}</mark>').format(
                kind_label(f.kind), text[f.start : f.end]
            )
            cursor = f.end
        piece += escape(text[cursor:hi])
        if hi < len(text):
            piece += Markup("…")
        parts.append(piece)
    return Markup(" ").join(parts)

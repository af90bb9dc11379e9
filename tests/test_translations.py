"""The Turkish catalogue is complete for the current source, and the app really speaks it.

Turkish is the default locale: a string that is marked for translation but missing from
translations/tr/LC_MESSAGES/messages.po shows up in English to every visitor. These tests
extract the messages afresh (the same ``pybabel extract`` command as ``make
extract-messages``), so a new string fails here until ``make update-messages`` has been run
and the new entry translated.
"""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
import tempfile
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog, Message
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from flask.testing import FlaskClient
from flask_babel import refresh

ROOT = Path(__file__).resolve().parent.parent
MAKEFILE = ROOT / "Makefile"
PO_PATH = ROOT / "translations" / "tr" / "LC_MESSAGES" / "messages.po"
MO_PATH = PO_PATH.with_suffix(".mo")

# A printf-style placeholder: %(name)s, %(num)d, %(n)d, %s, %5.2f ... but not the literal %%.
PLACEHOLDER = re.compile(
    r"%(?:\((?P<name>[^)]*)\))?[#0 +-]*(?:\*|\d+)?(?:\.(?:\*|\d+))?[hlL]?"
    r"(?P<type>[diouxXeEfFgGcrsa%])"
)


# --- helpers --------------------------------------------------------------------------


def _extract_command(output: Path) -> list[str]:
    """The arguments of the Makefile's ``extract-messages`` recipe, writing to ``output``."""
    text = MAKEFILE.read_text(encoding="utf-8")
    recipe = re.search(r"^extract-messages:.*\n((?:\t.*\n?)+)", text, re.MULTILINE)
    assert recipe, "the Makefile has no extract-messages target"
    line = next(
        (ln.strip() for ln in recipe.group(1).splitlines() if "pybabel extract" in ln), None
    )
    assert line, "the extract-messages target does not run `pybabel extract`"
    args = shlex.split(line)
    args = args[args.index("extract") :]  # drop "$(BIN)/pybabel"
    assert "-o" in args, "the extract-messages recipe does not name its output with -o"
    args[args.index("-o") + 1] = str(output)
    return [sys.executable, "-m", "babel.messages.frontend", *args]


def _key(message: Message) -> str:
    return message.id[0] if isinstance(message.id, (list, tuple)) else message.id


def _forms(message: Message) -> tuple[str, ...]:
    if isinstance(message.string, (list, tuple)):
        return tuple(message.string)
    return (message.string,)


def _placeholders(text: str) -> Counter[str]:
    found: Counter[str] = Counter()
    for match in PLACEHOLDER.finditer(text):
        if match.group("type") == "%":
            continue  # "%%" is a literal percent sign
        found[match.group(0)] += 1
    return found


def _describe(counter: Counter[str]) -> str:
    return ", ".join(sorted(counter.elements())) or "none"


# --- fixtures -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def extracted(tmp_path_factory: pytest.TempPathFactory) -> Catalog:
    """The messages the current source marks for translation."""
    pot = tmp_path_factory.mktemp("extract") / "messages.pot"
    result = subprocess.run(  # noqa: S603 - our own interpreter, arguments from our Makefile
        _extract_command(pot), cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, f"pybabel extract failed:\n{result.stderr}"
    with pot.open("rb") as f:
        catalog = read_po(f)
    assert len([m for m in catalog if m.id]) > 50, "suspiciously few messages were extracted"
    return catalog


@pytest.fixture(scope="module")
def turkish() -> Catalog:
    assert PO_PATH.exists(), f"{PO_PATH.relative_to(ROOT)} is missing: run `make update-messages`"
    with PO_PATH.open("rb") as f:
        return read_po(f, locale="tr")


@pytest.fixture(scope="module")
def compiled_catalogue() -> Iterator[None]:
    """The .mo the app loads, compiled as `make translations` does when missing or stale."""
    if not MO_PATH.exists() or MO_PATH.stat().st_mtime < PO_PATH.stat().st_mtime:
        with PO_PATH.open("rb") as f:
            catalog = read_po(f, locale="tr")
        fd, tmp = tempfile.mkstemp(dir=MO_PATH.parent, suffix=".mo.tmp")
        try:
            with os.fdopen(fd, "wb") as out:
                write_mo(out, catalog)
            os.chmod(tmp, 0o644)
            os.replace(tmp, MO_PATH)  # atomic: a concurrent test run never sees half a file
        finally:
            if os.path.exists(tmp):
                os.unlink(tmp)
    yield


# --- the catalogue --------------------------------------------------------------------


def test_catalogue_header_is_turkish(turkish: Catalog) -> None:
    assert str(turkish.locale) == "tr"
    assert turkish.num_plurals == 2
    assert turkish.plural_expr.replace(" ", "") in {"(n!=1)", "n!=1"}


def test_every_extracted_message_has_a_turkish_translation(
    extracted: Catalog, turkish: Catalog
) -> None:
    problems = []
    for source in extracted:
        if not source.id:
            continue
        key = _key(source)
        entry = turkish.get(key)
        if entry is None:
            problems.append(f"missing:   {key!r}")
            continue
        if entry.fuzzy:
            problems.append(f"fuzzy:     {key!r}")
        if source.pluralizable:
            if not entry.pluralizable or entry.id[1] != source.id[1]:
                problems.append(f"plural id: {key!r} (catalogue is out of date)")
                continue
            forms = _forms(entry)
            if len(forms) != turkish.num_plurals or not all(s.strip() for s in forms):
                problems.append(f"empty plural form: {key!r}")
        elif entry.pluralizable:
            problems.append(f"not plural in the source any more: {key!r}")
        elif not (entry.string or "").strip():
            problems.append(f"empty:     {key!r}")
    assert not problems, (
        f"{len(problems)} message(s) lack a Turkish translation; run `make update-messages` "
        "and translate them in translations/tr/LC_MESSAGES/messages.po:\n  " + "\n  ".join(problems)
    )


def test_placeholders_are_kept(turkish: Catalog) -> None:
    problems = []
    for entry in turkish:
        if not entry.id:
            continue
        sources = entry.id if isinstance(entry.id, (list, tuple)) else (entry.id,)
        for index, translated in enumerate(_forms(entry)):
            if not translated:
                continue  # reported by the completeness test
            # Turkish has the same two plural categories as English: form 0 is the singular.
            original = sources[min(index, len(sources) - 1)]
            expected, actual = _placeholders(original), _placeholders(translated)
            if expected != actual:
                problems.append(
                    f"{_key(entry)!r} [{index}]: msgid has {_describe(expected)}, "
                    f"msgstr has {_describe(actual)}"
                )
    assert not problems, "placeholders differ between msgid and msgstr:\n  " + "\n  ".join(problems)


def test_babel_finds_no_format_errors(turkish: Catalog) -> None:
    errors = [
        f"{_key(message)!r}: {'; '.join(str(e) for e in errs)}" for message, errs in turkish.check()
    ]
    assert not errors, "\n".join(errors)


# --- the app --------------------------------------------------------------------------


def test_default_locale_is_turkish_and_english_can_be_chosen(
    client: FlaskClient, turkish: Catalog, compiled_catalogue: None
) -> None:
    kampanyalar = turkish.get("Campaigns").string
    assert kampanyalar and kampanyalar != "Campaigns"

    html = client.get("/").get_data(as_text=True)
    assert '<html lang="tr">' in html
    assert kampanyalar in html
    assert ">Campaigns<" not in html

    response = client.post("/language", data={"locale": "en", "next": "/"})
    assert response.status_code == 303
    # pytest-flask keeps one app context (hence one ``g``) pushed for the whole test, and
    # Flask-Babel caches the locale on ``g``; a real request starts with a fresh one.
    refresh()

    html = client.get("/").get_data(as_text=True)
    assert '<html lang="en">' in html
    assert ">Campaigns<" in html
    assert kampanyalar not in html

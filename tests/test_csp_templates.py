"""Templates and scripts stay within the Content-Security-Policy (security.py).

The policy refuses inline code and inline style; the browser would silently drop what
breaks it (a style that never applies, a handler that never runs). This scan finds it
before a browser does: ``style="…"``, ``<style>``, ``<script>`` without ``src``,
``on…=`` handlers, ``hx-on``, ``javascript:`` URLs in templates, and the same tricks
(plus ``eval``) in our own JavaScript.

``templates/mail/`` is left out: mails are read in mail clients, which need inline style
and never see our headers.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
TEMPLATES = ROOT / "templates"
STATIC = ROOT / "static"
NOT_SERVED_WITH_CSP = {TEMPLATES / "mail"}

# (name, pattern) pairs; every pattern is matched case-insensitively.
HTML_RULES: list[tuple[str, re.Pattern[str]]] = [
    ("style attribute", re.compile(r"<[^>]*\sstyle\s*=", re.I | re.S)),
    ("<style> element", re.compile(r"<style[\s>]", re.I)),
    ("inline <script>", re.compile(r"<script\b(?![^>]*\bsrc\s*=)[^>]*>", re.I)),
    ("inline event handler", re.compile(r"<[^>]*\son[a-z]+\s*=", re.I | re.S)),
    ("hx-on", re.compile(r"\b(?:data-)?hx-on\b", re.I)),
    ("javascript: URL", re.compile(r"javascript\s*:", re.I)),
    (
        "htmx js: value",
        re.compile(r"hx-(?:vals|headers|vars)\s*=\s*['\"]\s*(?:js|javascript):", re.I),
    ),
]
JS_RULES: list[tuple[str, re.Pattern[str]]] = [
    ("eval", re.compile(r"\beval\s*\(")),
    ("new Function", re.compile(r"\bnew\s+Function\s*\(")),
    ("timer with a string", re.compile(r"\bset(?:Timeout|Interval)\s*\(\s*['\"`]")),
    ("style attribute set", re.compile(r"setAttribute\s*\(\s*['\"]style['\"]", re.I)),
    ("handler attribute set", re.compile(r"setAttribute\s*\(\s*['\"]on[a-z]+['\"]", re.I)),
    ("markup with inline style", re.compile(r"['\"`][^'\"`]*\sstyle\s*=", re.I)),
    ("<style>/<script> in markup", re.compile(r"<(?:style|script)[\s>]", re.I)),
    ("hx-on", re.compile(r"\bhx-on\b", re.I)),
    ("javascript: URL", re.compile(r"javascript\s*:", re.I)),
]


def offences(text: str, rules: list[tuple[str, re.Pattern[str]]]) -> list[tuple[int, str]]:
    """(line, rule name) for each match; Jinja comments are not markup and are skipped."""
    text = re.sub(r"\{#.*?#\}", lambda m: "\n" * m.group(0).count("\n"), text, flags=re.S)
    found = []
    for name, pattern in rules:
        for match in pattern.finditer(text):
            found.append((text.count("\n", 0, match.start()) + 1, name))
    return sorted(found)


def served_templates() -> list[Path]:
    return sorted(
        path
        for path in TEMPLATES.rglob("*.html")
        if not any(excluded in path.parents for excluded in NOT_SERVED_WITH_CSP)
    )


def our_scripts() -> list[Path]:
    return sorted(STATIC.glob("*.js"))  # static/vendor/ is htmx, configured in base.html


def report(paths: list[Path], rules: list[tuple[str, re.Pattern[str]]]) -> list[str]:
    return [
        f"{path.relative_to(ROOT)}:{line}: {name}"
        for path in paths
        for line, name in offences(path.read_text(encoding="utf-8"), rules)
    ]


def test_there_is_something_to_scan():
    assert len(served_templates()) > 20
    assert {p.name for p in our_scripts()} >= {"ortak.js", "drafts.js"}


def test_templates_have_no_inline_code_or_style():
    assert report(served_templates(), HTML_RULES) == []


def test_scripts_use_no_eval_inline_style_or_handlers():
    assert report(our_scripts(), JS_RULES) == []


def test_htmx_is_configured_for_the_policy():
    base = (TEMPLATES / "base.html").read_text(encoding="utf-8")
    config = re.search(r"<meta name=\"htmx-config\" content='([^']*)'>", base)
    assert config, "base.html has no htmx-config meta"
    assert '"allowEval":false' in config.group(1)
    assert '"includeIndicatorStyles":false' in config.group(1)
    assert '"allowScriptTags":false' in config.group(1)
    # The indicator htmx no longer injects is in our stylesheet.
    assert ".htmx-indicator" in (STATIC / "ortak.css").read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("snippet", "rule"),
    [
        ('<p style="color: red">', "style attribute"),
        ("<rect\n  fill='#fff' STYLE='x'/>", "style attribute"),
        ("<style>p{}</style>", "<style> element"),
        ("<script>alert(1)</script>", "inline <script>"),
        ('<button type="button" onclick="go()">', "inline event handler"),
        ('<body\n onload="x()">', "inline event handler"),
        ('<form hx-on::after-request="x()">', "hx-on"),
        ('<a href="JavaScript:void(0)">', "javascript: URL"),
        ("<div hx-vals='js:{a: 1}'>", "htmx js: value"),
    ],
)
def test_the_template_scan_finds_what_breaks_the_policy(snippet, rule):
    assert (1, rule) in offences(snippet, HTML_RULES)


@pytest.mark.parametrize(
    ("snippet", "rule"),
    [
        ("eval(code);", "eval"),
        ("var f = new Function('a', 'return a');", "new Function"),
        ('setTimeout("go()", 10);', "timer with a string"),
        ("el.setAttribute('style', 'color: red');", "style attribute set"),
        ('el.setAttribute("onclick", "x()");', "handler attribute set"),
        ("el.innerHTML = '<p style=\"x\">';", "markup with inline style"),
        ('el.innerHTML = "<script>x</script>";', "<style>/<script> in markup"),
    ],
)
def test_the_script_scan_finds_what_breaks_the_policy(snippet, rule):
    assert (1, rule) in offences(snippet, JS_RULES)


@pytest.mark.parametrize(
    "snippet",
    [
        '<script src="/static/ortak.js" defer></script>',
        '<rect x="1" fill="#1d4f91"/>',
        "<p>Turn the lights on=off</p>",
        '<a href="/proposals?sort=on">',
        '{# style="x" in a comment #}',
        '<link rel="stylesheet" href="/static/ortak.css">',
    ],
)
def test_what_the_policy_allows_passes_the_scan(snippet):
    assert offences(snippet, HTML_RULES) == []

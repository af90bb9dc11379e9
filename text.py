"""Text helpers shared by every layer: Turkish-aware folding and safe Markdown.

They sit at the bottom floor (beside extensions.py) because auth and proposals
both render user-written Markdown and both compare text.
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache

import nh3
from markdown_it import MarkdownIt
from markupsafe import Markup

_TURKISH_UPPER = str.maketrans({"İ": "i", "I": "ı"})


def fold(text: str | None) -> str:
    """Lower-case for comparison and search, the Turkish way.

    Python's ``str.lower`` maps ``I`` to ``i`` and ``İ`` to ``i̇`` (with a
    combining dot), so "IŞIK" would never match "ışık". We map the two
    dotted/dotless capitals first, lower-case, then drop the stray combining
    dot above that decomposed input may still carry.
    """
    if not text:
        return ""
    # Compose first: a decomposed "İ" (I + combining dot) must fold to "i", not to "ı".
    lowered = unicodedata.normalize("NFC", text).translate(_TURKISH_UPPER).lower()
    decomposed = unicodedata.normalize("NFD", lowered).replace("\u0307", "")
    return unicodedata.normalize("NFC", decomposed)


# CommonMark without raw HTML: what users type is never trusted as markup. nh3 then
# enforces an allow-list on the output as a second, independent line of defence.
_markdown = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
_markdown.enable(["table", "strikethrough"])

_ALLOWED_TAGS = {
    "p", "br", "hr", "strong", "em", "del", "code", "pre", "blockquote",
    "ul", "ol", "li", "h2", "h3", "h4", "a",
    "table", "thead", "tbody", "tr", "th", "td",
}  # fmt: skip


def render_markdown(source: str | None) -> Markup:
    """Render user Markdown to HTML that is safe to place in a page."""
    if not source:
        return Markup("")
    return Markup(_render(source))  # noqa: S704 - sanitised by nh3 in _render


@lru_cache(maxsize=8192)
def _render(source: str) -> str:
    """A pure function of the text, so a bounded cache in each process is never stale: a
    discussion page renders the same 200 comments for every reader."""
    html = _markdown.render(source)
    # Headings users write are demoted below the page's own h1.
    for level in (3, 2, 1):
        html = html.replace(f"<h{level}>", f"<h{level + 1}>").replace(
            f"</h{level}>", f"</h{level + 1}>"
        )
    clean = nh3.clean(
        html,
        tags=_ALLOWED_TAGS,
        attributes={"a": {"href", "title"}},
        url_schemes={"http", "https", "mailto"},
        link_rel="nofollow noopener ugc",
    )
    return clean

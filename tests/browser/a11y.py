"""``assert_accessible(page)``: axe-core on the page as the browser shows it now.

axe's script is the copy bundled with ``axe-playwright-python`` (injected into the
page, never fetched). Only WCAG 2.0/2.1 A and AA rules run: they are the legal bar
for a public body's site; axe's "best-practice" advice is left out.

Every page a browser test reaches must go through ``assert_accessible``: the
``open_page`` fixture watches the pages' navigations and fails a test that
reached an address it never checked.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urldefrag
from weakref import WeakKeyDictionary, WeakSet

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import BrowserContext, Frame, Page, Route

WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
AXE_OPTIONS = {"runOnly": {"type": "tag", "values": WCAG_TAGS}, "resultTypes": ["violations"]}

_axe = Axe()


class Coverage:
    """The addresses a page has shown, and those that went through axe."""

    def __init__(self) -> None:
        self.reached: list[str] = []
        self.checked: set[str] = set()

    def unchecked(self) -> list[str]:
        return [url for url in dict.fromkeys(self.reached) if url not in self.checked]


_coverage: WeakKeyDictionary[Page, Coverage] = WeakKeyDictionary()


def _document(url: str) -> str:
    return urldefrag(url).url  # "#main" (the skip link) stays on the same document


def watch(page: Page) -> Coverage:
    """Start recording the documents ``page`` navigates to."""
    coverage = Coverage()
    _coverage[page] = coverage

    def navigated(frame: Frame) -> None:
        if frame == page.main_frame and not frame.url.startswith("about:"):
            coverage.reached.append(_document(frame.url))

    page.on("framenavigated", navigated)
    return coverage


def _describe(violation: dict[str, Any]) -> str:
    lines = [
        f"- {violation['id']} ({violation.get('impact') or 'n/a'}): {violation['help']}"
        f" <{violation.get('helpUrl', '')}>"
    ]
    for node in violation["nodes"]:
        target = " ".join(str(part) for part in node["target"])
        summary = " ".join((node.get("failureSummary") or "").split())
        lines.append(f"    at {target}: {summary}")
    return "\n".join(lines)


_scriptless: WeakSet[BrowserContext] = WeakSet()


def without_scripts(context: BrowserContext) -> BrowserContext:
    """Mark a context made with ``java_script_enabled=False``.

    axe's run waits on timers, which never fire there, so ``assert_accessible`` checks
    such a page through a copy: its document as it is now, served at its own address to
    a twin context whose Content-Security-Policy blocks every page script (stylesheets
    and images load from the server as they did)."""
    _scriptless.add(context)
    return context


def _run_on_copy(page: Page) -> Any:
    browser = page.context.browser
    assert browser is not None
    url, html = _document(page.url), page.content()

    def serve(route: Route) -> None:
        request = route.request
        if request.resource_type == "document" and _document(request.url) == url:
            route.fulfill(
                status=200,
                content_type="text/html; charset=utf-8",
                headers={"Content-Security-Policy": "script-src 'none'"},
                body=html,
            )
        else:
            route.continue_()

    twin_context = browser.new_context(viewport=page.viewport_size)
    try:
        twin = twin_context.new_page()
        twin.route("**/*", serve)
        twin.goto(url, wait_until="load")
        return _axe.run(twin, options=AXE_OPTIONS)
    finally:
        twin_context.close()


def assert_accessible(page: Page) -> None:
    """Fail listing every WCAG 2.1 A/AA violation axe finds (rule, help, target nodes)."""
    page.wait_for_load_state("load")  # the stylesheet matters for contrast
    if page.context in _scriptless:
        results = _run_on_copy(page)
    else:
        results = _axe.run(page, options=AXE_OPTIONS)
    coverage = _coverage.get(page)
    if coverage is not None:
        coverage.checked.add(_document(page.url))
    violations = results.response["violations"]
    if violations:
        report = "\n".join(_describe(v) for v in violations)
        raise AssertionError(
            f"{len(violations)} accessibility violation(s) on {page.url}:\n{report}"
        )

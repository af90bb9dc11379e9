"""The Content-Security-Policy as the browser applies it: code or style injected into a
page does not run, and the suite's watcher (conftest ``watch_csp``) sees the attempt."""

from __future__ import annotations

from playwright.sync_api import Browser
from pytest_flask.live_server import LiveServer

from tests.browser.conftest import watch_csp


def test_injected_inline_script_and_style_are_refused_and_reported(
    browser: Browser, live_server: LiveServer
) -> None:
    context = browser.new_context(base_url=live_server.url())
    try:
        page = context.new_page()
        violations: list[str] = []
        watch_csp(page, violations)
        page.goto("/login")
        ran = page.evaluate(
            """() => {
                window.injected = false;
                const script = document.createElement("script");
                script.textContent = "window.injected = true";
                document.body.appendChild(script);
                const styled = document.createElement("p");
                styled.setAttribute("style", "color: rgb(255, 0, 0)");
                styled.textContent = "x";
                document.body.appendChild(styled);
                return [window.injected, getComputedStyle(styled).color];
            }"""
        )
    finally:
        context.close()
    assert ran[0] is False
    assert ran[1] != "rgb(255, 0, 0)"
    assert any("script-src" in v for v in violations), violations
    assert any("style-src" in v for v in violations), violations

"""Security headers on every response, and the production switch for HTTPS-only cookies.

One ``after_request`` hook sets the headers, so HTML pages, htmx fragments, the JSON API,
static files, redirects and error pages all carry them (a header set per view would be
forgotten on the next route). The Content-Security-Policy allows scripts and styles from
this site only: no inline ``<script>``, ``<style>``, ``style="…"`` or ``on…=`` handler runs,
which is what makes an injection that slips past the Markdown sanitiser harmless.
``tests/test_csp_templates.py`` keeps the templates within it; the browser suite fails on
any violation the browser reports.

The production configuration is ``ORTAK_ENV=production`` (see README and SECURITY.md): it
adds Strict-Transport-Security and marks the session and remember cookies ``Secure``.
"""

from __future__ import annotations

import math
import time
from collections.abc import Mapping, Sequence

from flask import Flask, Response

from auth import security_log
from extensions import limiter

# Every directive says "this site only" unless it needs more; nothing inline, nothing eval'd.
# img-src allows data: for small inline images (an SVG QR code may be served that way).
CSP_DIRECTIVES: dict[str, tuple[str, ...]] = {
    "default-src": ("'self'",),
    "script-src": ("'self'",),
    "style-src": ("'self'",),
    "img-src": ("'self'", "data:"),
    "font-src": ("'self'",),
    "connect-src": ("'self'",),
    "form-action": ("'self'",),
    "frame-ancestors": ("'none'",),
    "base-uri": ("'self'",),
    "object-src": ("'none'",),
}

# Features the platform never uses are switched off for it and anything it could embed.
# (interest-cohort is left out: browsers no longer know it and log an error for it;
# browsing-topics is its successor.)
PERMISSIONS_POLICY = ", ".join(
    f"{feature}=()"
    for feature in (
        "accelerometer",
        "browsing-topics",
        "camera",
        "geolocation",
        "gyroscope",
        "magnetometer",
        "microphone",
        "payment",
        "usb",
    )
)

HSTS_ONE_YEAR = 365 * 24 * 60 * 60


def build_csp(directives: Mapping[str, Sequence[str]], report_uri: str = "") -> str:
    """The policy as a header value: ``name source source; name source; …``."""
    parts = [" ".join((name, *sources)) for name, sources in directives.items()]
    if report_uri:
        parts.append(f"report-uri {report_uri}")
    return "; ".join(parts)


def is_production(app: Flask) -> bool:
    return str(app.config.get("ORTAK_ENV", "")).strip().lower() == "production"


def security_headers(app: Flask) -> dict[str, str]:
    """The headers every response of ``app`` carries (computed once, at start-up)."""
    headers = {
        "Content-Security-Policy": build_csp(CSP_DIRECTIVES, app.config.get("CSP_REPORT_URI", "")),
        "X-Content-Type-Options": "nosniff",
        # Nothing of an address (which may hold an invitation or reset token) leaves the site.
        "Referrer-Policy": "same-origin",
        "Permissions-Policy": PERMISSIONS_POLICY,
        "Cross-Origin-Opener-Policy": "same-origin",
        "X-Frame-Options": "DENY",  # older browsers; frame-ancestors 'none' for the rest
    }
    if is_production(app):
        headers["Strict-Transport-Security"] = (
            f"max-age={int(app.config.get('HSTS_MAX_AGE', HSTS_ONE_YEAR))}; includeSubDomains"
        )
    return headers


def retry_after_seconds() -> int:
    """Seconds until the limit this request broke lets it through again (at least 1)."""
    breached = limiter.current_limit
    if breached is None:
        return 60
    return max(1, math.ceil(breached.reset_at - time.time()))


def init_app(app: Flask) -> None:
    """Headers on every response; in production, cookies only over HTTPS.

    (Behind a reverse proxy, ``TRUSTED_PROXIES`` makes serving.py take the visitor's
    address and scheme from X-Forwarded-*: rate limits and the security log need them.)
    """
    if is_production(app):
        app.config["SESSION_COOKIE_SECURE"] = True
        app.config["REMEMBER_COOKIE_SECURE"] = True
        app.config["PREFERRED_URL_SCHEME"] = "https"
        if str(app.config.get("RATELIMIT_STORAGE_URI", "")).startswith("memory://"):
            app.logger.warning(
                "RATELIMIT_STORAGE_URI is memory://: each worker counts on its own; "
                "use redis:// in production (SECURITY.md)"
            )
    security_log.configure(app)
    headers = security_headers(app)

    @app.after_request
    def add_security_headers(response: Response) -> Response:
        for name, value in headers.items():
            response.headers.setdefault(name, value)
        return response

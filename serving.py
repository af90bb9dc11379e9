"""Production serving: health checks, fingerprinted static files, compressed pages.

Several app servers run behind one proxy, so nothing here keeps state in process
memory: health answers from the database, the static fingerprint from file content.
"""

from __future__ import annotations

import hashlib
import os
from functools import cache
from pathlib import Path
from typing import Any

from alembic.script import ScriptDirectory
from flask import Blueprint, Flask, Response, current_app, jsonify, request
from flask_compress import Compress
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.middleware.proxy_fix import ProxyFix

from extensions import csrf, db, limiter, migrate

bp = Blueprint("serving", __name__)
compress = Compress()

YEAR = 365 * 24 * 3600


@bp.route("/healthz")
@limiter.exempt
def healthz() -> tuple[Response, int]:
    """Liveness for the process manager: the app answers and reaches its database."""
    try:
        db.session.execute(text("SELECT 1"))
    except SQLAlchemyError:
        db.session.rollback()
        return jsonify(status="error", database="unreachable"), 503
    return jsonify(status="ok"), 200


@bp.route("/readyz")
@limiter.exempt
def readyz() -> tuple[Response, int]:
    """Readiness for the proxy: database reachable *and* migrated to this code's schema.

    During a release the new code may start before ``flask db upgrade`` ran; it must not
    take traffic until the schema matches.
    """
    try:
        current = set(db.session.scalars(text("SELECT version_num FROM alembic_version")))
    except SQLAlchemyError:
        db.session.rollback()
        return jsonify(status="error", database="unreachable or not migrated"), 503
    expected = _migration_heads()
    if current != expected:
        return jsonify(status="error", migrations="pending"), 503
    return jsonify(status="ok"), 200


def _migration_heads() -> set[str]:
    config = migrate.get_config(current_app.extensions["migrate"].directory)
    return set(ScriptDirectory.from_config(config).get_heads())


@cache
def _fingerprint(path: str, mtime: float) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()[:12]


def static_fingerprint(app: Flask, filename: str) -> str | None:
    """A short hash of the file's content, so its URL changes exactly when it does."""
    assert app.static_folder is not None  # noqa: S101 - Flask always has one here
    path = Path(app.static_folder) / filename
    try:
        return _fingerprint(str(path), path.stat().st_mtime)
    except OSError:
        return None


def init_app(app: Flask) -> None:
    # Behind N reverse proxies, the client's address and scheme come from X-Forwarded-*
    # (rate limits and logs need the real address); never trust them without a proxy.
    proxies = int(app.config.get("TRUSTED_PROXIES", os.environ.get("TRUSTED_PROXIES", "0")))
    if proxies:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies)
    app.register_blueprint(bp)
    csrf.exempt(bp)
    # Exports stream row by row (CSV) and must stay streamed: only whole responses are
    # compressed. Cookies are SameSite=Lax, so a cross-site page cannot make the browser
    # send the many credentialed requests a compression side-channel (BREACH) needs.
    app.config.setdefault("COMPRESS_STREAMS", False)
    # COMPRESS=0 when the reverse proxy compresses instead.
    app.config.setdefault("COMPRESS_REGISTER", os.environ.get("COMPRESS", "1") != "0")
    app.config.setdefault("COMPRESS_ALGORITHM", ["br", "gzip"])
    compress.init_app(app)

    @app.url_defaults
    def fingerprint_static(endpoint: str, values: dict[str, Any]) -> None:
        if endpoint == "static" and "filename" in values and "v" not in values:
            version = static_fingerprint(app, values["filename"])
            if version:
                values["v"] = version

    @app.after_request
    def cache_static(response: Response) -> Response:
        # A fingerprinted URL never changes content: cache it for a year. Anything else
        # revalidates (ETag), so a deploy is seen at once.
        if request.endpoint == "static":
            if request.args.get("v"):
                response.cache_control.no_cache = None
                response.cache_control.public = True
                response.cache_control.max_age = YEAR
                response.cache_control.immutable = True
            else:
                response.cache_control.no_cache = True
        return response

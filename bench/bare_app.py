"""The framework's ceiling: one Flask route running one trivial query, nothing else.

Served by gunicorn with the same settings as the app (bench/loadtest.sh), so the load
test can read Ortak's throughput as a share of what Flask + SQLAlchemy + PostgreSQL
can do at all on this machine.
"""

from __future__ import annotations

import os

from flask import Flask
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import text

db = SQLAlchemy()


def create_app() -> Flask:
    app = Flask(__name__)
    app.config["SQLALCHEMY_DATABASE_URI"] = os.environ["DATABASE_URL"]
    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = {"pool_pre_ping": True}
    db.init_app(app)

    @app.get("/bare")
    def bare() -> str:
        return str(db.session.scalar(text("SELECT 1")))

    return app

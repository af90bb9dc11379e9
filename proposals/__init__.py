"""Everything on a campaign: campaigns and phases, themes (proposals, ballots and more to come)."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from proposals import cli, views

    app.register_blueprint(views.bp)
    cli.init_app(app)

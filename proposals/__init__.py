"""Everything on a campaign: campaigns and phases, themes (proposals, ballots and more to come)."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from proposals import (
        api,
        cli,
        discussion_views,
        labels,
        moderation,
        proposal_views,  # noqa: F401 - adds its routes to views.bp
        results_views,  # noqa: F401 - adds its routes to views.bp
        views,
        voting_views,
    )

    app.register_blueprint(views.bp)
    app.register_blueprint(api.bp)
    app.register_blueprint(discussion_views.bp)
    # Moderation feature modules add their routes to moderation.bp when imported:
    # --- moderation view modules ---
    app.register_blueprint(moderation.bp)
    app.jinja_env.globals.update(
        label=labels.label,
        district_label=labels.district_label,
        moderation_nav=moderation.nav_links,
    )
    voting_views.init_app(app)
    cli.init_app(app)

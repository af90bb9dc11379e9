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
        privacy,
        proposal_views,  # noqa: F401 - adds its routes to views.bp
        results_views,  # noqa: F401 - adds its routes to views.bp
        theme_views,  # noqa: F401 - the theme stylesheet on views.bp, the rest on moderation.bp
        views,
        voting_views,
    )

    app.register_blueprint(views.bp)
    app.register_blueprint(api.bp)
    app.register_blueprint(discussion_views.bp)
    # Moderation feature modules add their routes to moderation.bp when imported:
    # --- moderation view modules ---
    from proposals import suggestion_views  # noqa: F401
    from proposals import merge_views  # noqa: F401
    from proposals import personal_data_views  # noqa: F401
    from proposals import report_views  # noqa: F401
    app.register_blueprint(moderation.bp)
    app.jinja_env.globals.update(
        label=labels.label,
        district_label=labels.district_label,
        moderation_nav=moderation.nav_links,
    )
    voting_views.init_app(app)
    privacy.init_app(app)  # its part in KVKK data downloads and account deletion
    cli.init_app(app)

"""Everything on a campaign: phases, proposals and discussion, ballots and results, moderation."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    # The *_views modules add their routes to views.bp or moderation.bp when imported.
    from proposals import (  # noqa: F401 - imported for their routes
        api,
        cli,
        discussion_views,
        labels,
        merge_views,
        moderation,
        personal_data_views,
        privacy,
        proposal_views,
        report_views,
        results_views,
        suggestion_views,
        theme_views,
        views,
        voting_views,
    )

    app.register_blueprint(views.bp)
    app.register_blueprint(api.bp)
    app.register_blueprint(discussion_views.bp)
    app.register_blueprint(moderation.bp)
    app.jinja_env.globals.update(
        label=labels.label,
        district_label=labels.district_label,
        moderation_nav=moderation.nav_links,
    )
    voting_views.init_app(app)
    privacy.init_app(app)  # its part in KVKK data downloads and account deletion
    cli.init_app(app)

"""Each test-client request starts with a fresh ``g``, as a real request does.

pytest-flask pushes one request context (hence one application context and one ``g``) for
the whole test, and the test client's requests reuse it. Flask-Babel caches the chosen
locale on ``g`` and Flask-Login caches the current user there, so without this a language
switch, a deactivation or an ended session would not show on the next request of the same
test. Import the fixture into a test module to use it (it is autouse).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask, g


@pytest.fixture(autouse=True)
def fresh_request_globals(app: Flask) -> Iterator[None]:
    def forget_request_caches() -> None:
        g.pop("_flask_babel", None)  # the locale, chosen again from the user or the session
        g.pop("_login_user", None)  # the user, loaded again from the session cookie

    app.before_request_funcs.setdefault(None, []).insert(0, forget_request_caches)
    yield

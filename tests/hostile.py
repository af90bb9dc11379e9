"""Hostile inputs, and the machinery that aims them at every form and query parameter.

Nothing here lists the application's routes or forms by hand. The forms are *discovered*:
the pages of the permission matrix (tests/test_permissions.py) are fetched as a visitor and
every ``<form>`` on them is read (its action, the names, kinds and current values of its
fields, its submit buttons). The parameters a view reads are *recorded*: a hook wraps
``request.args`` and ``request.form`` and notes every name a view asks for, so that a POST
route without a form on any page (an htmx endpoint, ``keep-alive``) and the query
parameters of a GET route (``page``, ``theme``, ``top``…) are found the same way. A route
added tomorrow is attacked tomorrow, without a change here.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote, urljoin, urlsplit

from flask import Flask, g, request
from flask.testing import FlaskClient
from flask_wtf import FlaskForm
from sqlalchemy import func, select
from werkzeug.datastructures import ImmutableMultiDict
from werkzeug.exceptions import HTTPException
from werkzeug.routing import RequestRedirect
from wtforms import (
    BooleanField,
    DateField,
    DateTimeLocalField,
    IntegerField,
    SelectFieldBase,
    TextAreaField,
)

from extensions import db
from tests.conftest import PASSWORD
from tests.dom import Element, parse

# --- payloads -----------------------------------------------------------------------------

SCRIPT = "<script>alert(1)</script>"
IMG = '"><img src=x onerror=alert(1)>'
JS_URL = "javascript:alert(1)"
MARKDOWN_JS = '[klik](javascript:alert(1)) <a href="javascript:alert(1)">a</a>'
INJECTIONS = (SCRIPT, IMG, JS_URL, MARKDOWN_JS)
SQL = ("' OR 1=1 --", "%", "_", "\\", ";DROP TABLE proposals;--")
LONG = "Ş" + "x" * 99_999  # 100,000 characters
CONTROL = "a\x00b\x07c\x1bd\u202ee\r\nf\x7f"
INVALID_UTF8 = "%ff%fe%c3%28"  # bytes no UTF-8 decoder accepts, sent raw
# 5,000 digits: beyond what int() converts from a string (Python's limit is 4,300).
NUMBERS = ("-1", "0", str(10**30), "9" * 5000, "abc", "1e3", "²", " 7 ")
DATES = ("0001-01-01", "9999-12-31", "2026-02-30", "yesterday")
DATETIMES = ("0001-01-01T00:00", "9999-12-31T23:59", "2026-02-30T10:00", "yesterday")

# PostgreSQL is slower per request: the generated part of the suite sends fewer examples
# there (HOSTILE_EXAMPLES overrides both).
ON_POSTGRES = bool(os.environ.get("TEST_DATABASE_URL"))
EXAMPLES = int(os.environ.get("HOSTILE_EXAMPLES", "3" if ON_POSTGRES else "5"))

# Where people type text (a colour picker's value is no text: script there is refused whole).
TEXT_KINDS = {"text", "textarea", "search", "email", "url", "tel"}
NUMBER_KINDS = {"number", "range"}
DATE_KINDS = {"date", "datetime-local", "month", "week", "time"}
CSRF_FIELD = "csrf_token"
PROBE_FIELD = "_hostile_probe"


# --- which parameter names a view reads -----------------------------------------------------


class _Recording(ImmutableMultiDict):  # type: ignore[type-arg]
    """``request.args``/``request.form`` that notes each name a view asks for."""

    asked: set[str]

    def _note(self, key: Any) -> None:
        if isinstance(key, str):
            self.asked.add(key)

    def get(self, key: Any, default: Any = None, type: Any = None) -> Any:
        self._note(key)
        return super().get(key, default=default, type=type)

    def getlist(self, key: Any, type: Any = None) -> Any:
        self._note(key)
        return super().getlist(key, type=type)

    def __getitem__(self, key: Any) -> Any:
        self._note(key)
        return super().__getitem__(key)

    def __contains__(self, key: object) -> bool:
        self._note(key)
        return super().__contains__(key)


def _recording(values: Any, asked: set[str]) -> _Recording:
    wrapped = _Recording(list(values.items(multi=True)))
    wrapped.asked = asked
    return wrapped


class Recorder:
    """Installed on an app: ``asked[(endpoint, "args" | "form")]`` grows with every request."""

    def __init__(self, app: Flask) -> None:
        self.asked: dict[tuple[str, str], set[str]] = defaultdict(set)
        app.before_request(self._wrap)

    def _wrap(self) -> None:
        endpoint = request.endpoint or ""
        request.args = _recording(request.args, self.asked[(endpoint, "args")])  # type: ignore[misc]
        if request.method == "POST":
            request.form = _recording(request.form, self.asked[(endpoint, "form")])  # type: ignore[misc]

    def names(self, endpoint: str, where: str) -> set[str]:
        return set(self.asked.get((endpoint, where), set())) - {CSRF_FIELD, PROBE_FIELD}


# --- what the forms modules say about a field name ---------------------------------------------


def _all_form_classes() -> Iterator[type[FlaskForm]]:
    seen: set[type] = set()
    todo = list(FlaskForm.__subclasses__())
    while todo:
        cls = todo.pop()
        if cls in seen:
            continue
        seen.add(cls)
        todo.extend(cls.__subclasses__())
        yield cls


def declared_kinds() -> dict[str, str]:
    """Field name → kind, from every FlaskForm subclass the application defines."""
    kinds: dict[str, str] = {}
    for cls in _all_form_classes():
        for name in dir(cls):
            unbound = getattr(cls, name, None)
            field_class = getattr(unbound, "field_class", None)
            if field_class is None:
                continue
            if issubclass(field_class, IntegerField):
                kinds[name] = "number"
            elif issubclass(field_class, DateTimeLocalField):
                kinds[name] = "datetime-local"
            elif issubclass(field_class, DateField):
                kinds[name] = "date"
            elif issubclass(field_class, BooleanField):
                kinds[name] = "checkbox"
            elif issubclass(field_class, SelectFieldBase):
                kinds.setdefault(name, "select")
            elif issubclass(field_class, TextAreaField):
                kinds.setdefault(name, "textarea")
            else:
                kinds.setdefault(name, "text")
    return kinds


# --- forms found on pages --------------------------------------------------------------------


@dataclass
class Field:
    name: str
    kind: str
    values: list[str] = field(default_factory=list)  # what a browser sends as it stands
    options: list[str] = field(default_factory=list)  # choices (select, radio, checkbox, button)

    @property
    def numeric(self) -> bool:
        """A number, or an id: its kind says so, or every value or choice is digits."""
        if self.kind in NUMBER_KINDS:
            return True
        seen = [v for v in (*self.values, *self.options) if v]
        return bool(seen) and all(v.isdigit() for v in seen)

    @property
    def dated(self) -> bool:
        return self.kind in DATE_KINDS

    @property
    def textual(self) -> bool:
        return self.kind in TEXT_KINDS or self.kind == "password"


@dataclass
class Target:
    """One route to attack: where it is, as whom, and the fields it is sent."""

    endpoint: str
    method: str
    path: str  # with its query string, as the form's action gives it
    visitor: str
    fields: dict[str, Field]
    found_on: str  # the page the form was on, or "recorded" / "declared"

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.endpoint, self.method, self.path)

    def defaults(self) -> list[tuple[str, str]]:
        """What submitting the form untouched sends (one submit button pressed)."""
        pairs: list[tuple[str, str]] = []
        for f in self.fields.values():
            if f.kind == "button":
                chosen = [o for o in f.options if o != "similar"] or f.options
                if chosen:
                    pairs.append((f.name, chosen[0]))
                continue
            pairs.extend((f.name, v) for v in f.values)
        return pairs

    def replaced(self, value: str, which: Any) -> list[tuple[str, str]]:
        """The untouched form with ``value`` in every field ``which(field)`` picks; an
        empty list when it picks none (that attack does not apply)."""
        picked = {name for name, f in self.fields.items() if f.kind != "button" and which(f)}
        if not picked:
            return []
        pairs = [(n, v) for n, v in self.defaults() if n not in picked]
        pairs.extend((name, value) for name in self.fields if name in picked)
        return pairs


def _option_value(option: Element) -> str:
    value = option.get("value")
    return value if value is not None else option.text


def _fields_of(form: Element, kinds: dict[str, str]) -> dict[str, Field]:
    found: dict[str, Field] = {}

    def entry(name: str, kind: str) -> Field:
        if name not in found:
            found[name] = Field(name, kind)
        return found[name]

    for element in form.iter():
        name = element.get("name")
        if not name or "disabled" in element.attrs:
            continue
        if element.tag == "input":
            kind = (element.get("type") or "text").lower()
            value = element.get("value") or ""
            if kind in {"submit", "image"}:
                entry(name, "button").options.append(value)
            elif kind in {"button", "reset", "file"}:
                continue
            elif kind in {"radio", "checkbox"}:
                f = entry(name, kind)
                f.options.append(value or "on")
                if "checked" in element.attrs:
                    f.values.append(value or "on")
            else:
                if kind == "text" and element.get("inputmode") == "numeric":
                    kind = "number"
                if kind == "text" and kinds.get(name) in NUMBER_KINDS | DATE_KINDS:
                    kind = kinds[name]
                entry(name, kind).values.append(value)
        elif element.tag == "button" and (element.get("type") or "submit") == "submit":
            entry(name, "button").options.append(element.get("value") or "")
        elif element.tag == "textarea":
            text = "".join(c for c in element.children if isinstance(c, str))
            entry(name, "textarea").values.append(text.removeprefix("\n"))
        elif element.tag == "select":
            f = entry(name, "select")
            options = element.find_all("option")
            f.options.extend(_option_value(o) for o in options)
            chosen = [o for o in options if "selected" in o.attrs]
            if not chosen and "multiple" not in element.attrs:
                chosen = options[:1]
            f.values.extend(_option_value(o) for o in chosen)
    return found


def _endpoint(app: Flask, path: str, method: str) -> str | None:
    adapter = app.url_map.bind("localhost")
    try:
        endpoint, _args = adapter.match(urlsplit(path).path, method=method)
    except RequestRedirect:
        return None
    except HTTPException:
        return None
    return endpoint


def forms_on(app: Flask, page_path: str, html: str, visitor: str) -> list[Target]:
    """Every form of a page, and the htmx endpoints its forms also post to."""
    kinds = declared_kinds()
    found = []
    base = "http://localhost" + page_path
    for form in parse(html).find_all("form"):
        method = (form.get("method") or "get").upper()
        actions = [(method, form.get("action") or "")]
        if form.get("hx-post"):
            actions.append(("POST", form.get("hx-post") or ""))
        fields = _fields_of(form, kinds)
        for verb, action in actions:
            parts = urlsplit(urljoin(base, action))
            if parts.netloc != "localhost":
                continue
            path = parts.path + (f"?{parts.query}" if parts.query and verb == "POST" else "")
            endpoint = _endpoint(app, parts.path, verb)
            if endpoint is None:
                continue
            found.append(Target(endpoint, verb, path, visitor, dict(fields), page_path))
    return found


# --- requests ------------------------------------------------------------------------------


def login(client: FlaskClient, email: str, password: str = PASSWORD) -> None:
    """Sign in through the form (with its CSRF token when the app checks tokens)."""
    data = {"email": email, "password": password}
    if client.application.config["WTF_CSRF_ENABLED"]:
        data[CSRF_FIELD] = csrf_token(client, "/login") or ""
    response = client.post("/login", data=data)
    assert response.status_code == 303, f"{email} could not log in ({response.status_code})"


def check_csrf(app: Flask) -> None:
    """Turn CSRF checks on for this app, each request making its own token: Flask-WTF
    caches the token in ``g``, which a test's requests share (conftest forgets the other
    request caches the same way)."""

    def forget_token() -> None:
        g.pop("csrf_token", None)

    app.config["WTF_CSRF_ENABLED"] = True
    app.before_request_funcs.setdefault(None, []).insert(0, forget_token)


def csrf_token(client: FlaskClient, path: str) -> str | None:
    """The token a page's forms carry for this client's session, if the app uses tokens."""
    response = client.get(path)
    element = parse(response.get_data(as_text=True)).find("input", name=CSRF_FIELD)
    return element.get("value") if element is not None else None


def encode(pairs: Iterable[tuple[str, str]], raw: str | None = None) -> str:
    """A form or query string; with ``raw``, every value is ``raw`` as sent (not escaped)."""
    return "&".join(
        f"{quote(name, safe='')}={raw if raw is not None else quote(value, safe='')}"
        for name, value in pairs
    )


def send(client: FlaskClient, target: Target, pairs: list[tuple[str, str]], raw: str | None = None,
         headers: dict[str, str] | None = None) -> Any:  # fmt: skip
    """POST the pairs as a form body, or GET them as the query string."""
    body = encode(pairs, raw)
    if target.method == "GET":
        path = urlsplit(target.path).path
        return client.get(path, query_string=body, headers=headers)
    return client.post(
        target.path,
        data=body.encode("latin-1"),
        content_type="application/x-www-form-urlencoded",
        headers=headers,
    )


# --- what a response must never contain --------------------------------------------------------

URL_ATTRIBUTES = {"href", "src", "action", "formaction", "hx-get", "hx-post", "data", "poster"}


def injection_problems(html: str) -> list[str]:
    """Script that a payload managed to put on the page: raw tags, handlers, javascript: URLs."""
    problems = []
    for raw in ("<script>alert(1)", "<img src=x onerror", '<a href="javascript:'):
        if raw in html:
            problems.append(f"raw {raw!r}")
    for element in parse(html).iter():
        for name, value in element.attrs.items():
            if name.startswith("on"):
                problems.append(f"<{element.tag} {name}=…>")
            if name in URL_ATTRIBUTES and (value or "").strip().lower().startswith("javascript:"):
                problems.append(f"<{element.tag} {name}={value!r}>")
        if element.tag == "script" and "alert(" in element.text:
            problems.append("inline <script> with alert(")
    return problems


def check_response(response: Any, what: str) -> list[str]:
    """A hostile request's answer: never a 5xx, no injected script, no redirect off-site."""
    failures = []
    status = response.status_code
    if status >= 500:
        failures.append(f"{what}: {status}")
    if status == 200 and (response.mimetype or "").startswith("text/html"):
        failures.extend(f"{what}: {p}" for p in injection_problems(response.get_data(as_text=True)))
    if 300 <= status < 400:
        location = response.headers.get("Location", "")
        parts = urlsplit(location)
        if parts.scheme not in ("", "http", "https") or parts.netloc not in ("", "localhost"):
            failures.append(f"{what}: redirect off-site to {location!r}")
    response.close()
    return failures


# --- what is stored: counts and a digest of rows an attack must not touch -----------------------

KEY_TABLES = (
    "users", "organizations", "campaigns", "proposals", "comments", "ballots", "votes",
    "vote_log", "themes", "invitations", "reports", "merges", "notifications",
)  # fmt: skip


def counts() -> dict[str, int]:
    tables = db.metadata.tables
    return {
        name: db.session.scalar(select(func.count()).select_from(tables[name])) or 0
        for name in KEY_TABLES
        if name in tables
    }


def digest(rows: dict[str, Iterable[int]]) -> str:
    """A hash of the named rows (table → ids), every column: any change shows."""
    db.session.expire_all()
    tables = db.metadata.tables
    hasher = hashlib.sha256()
    for name in sorted(rows):
        ids = sorted(rows[name])
        table = tables[name]
        found = db.session.execute(select(table).where(table.c.id.in_(ids)).order_by(table.c.id))
        values = [dict(row._mapping) for row in found]
        assert len(values) == len(ids), f"rows of {name} are gone: {ids}"
        hasher.update(json.dumps([name, values], sort_keys=True, default=str).encode())
    return hasher.hexdigest()


def whole_database() -> str:
    """A hash of every row of every table (for attacks after which nothing may change)."""
    db.session.expire_all()
    hasher = hashlib.sha256()
    for table in db.metadata.sorted_tables:
        key = list(table.primary_key.columns) or list(table.columns)
        rows = db.session.execute(select(table).order_by(*key))
        values = [dict(row._mapping) for row in rows]
        hasher.update(json.dumps([table.name, values], sort_keys=True, default=str).encode())
    return hasher.hexdigest()


def stored_injections() -> int:
    """How many stored texts hold an injected ``alert(1)``: proof that the attacks reached
    the database, so that reading the pages again checks something."""
    from sqlalchemy import Enum, String, Text, or_

    db.session.expire_all()
    total = 0
    for name in ("proposals", "comments", "organizations", "themes", "users", "reports",
                 "campaigns"):  # fmt: skip
        table = db.metadata.tables[name]
        texts = [c for c in table.columns
                 if isinstance(c.type, String | Text) and not isinstance(c.type, Enum)]  # fmt: skip
        matches = or_(*(c.contains("alert(1)", autoescape=True) for c in texts))
        total += db.session.scalar(select(func.count()).select_from(table).where(matches)) or 0
    return total

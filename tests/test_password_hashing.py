"""Password hashing (auth/passwords.py, User.set_password/check_password,
accounts.authenticate): argon2id, memory-hard; older werkzeug hashes (scrypt, pbkdf2)
still verify and are replaced at the next successful sign-in, as are argon2 hashes made
with parameters weaker than today's configuration."""

from __future__ import annotations

import pytest
from argon2 import PasswordHasher
from argon2.profiles import RFC_9106_LOW_MEMORY
from werkzeug.security import generate_password_hash

from app import create_app
from auth import accounts
from auth.errors import DomainError
from auth.passwords import hash_password, needs_rehash, verify_password
from extensions import db
from tests.conftest import PASSWORD
from tests.people_helpers import isolated_requests  # noqa: F401 - autouse fixture


def parameters(stored: str) -> dict[str, int]:
    """m, t and p of an argon2 hash: "$argon2id$v=19$m=8,t=1,p=1$salt$hash"."""
    settings = stored.split("$")[3]
    return {k: int(v) for k, v in (part.split("=") for part in settings.split(","))}


def test_passwords_are_hashed_with_argon2id_and_a_fresh_salt(app, rep_a):
    rep_a.set_password("gece yarısı vapur kalkar")
    first = rep_a.password_hash
    assert first.startswith("$argon2id$v=19$")
    assert parameters(first) == {"m": 8, "t": 1, "p": 1}  # the test configuration's
    assert "gece" not in first
    rep_a.set_password("gece yarısı vapur kalkar")
    assert rep_a.password_hash != first  # another salt
    assert rep_a.check_password("gece yarısı vapur kalkar")
    assert not rep_a.check_password("gece yarısı vapur kalkaR")
    assert not rep_a.password_needs_rehash()


def test_the_deployed_parameters_are_memory_hard(tmp_path):
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/x.db"})
    with app.app_context():
        stored = hash_password(PASSWORD)
    # 64 MiB and three passes: RFC 9106's low-memory profile, in one lane.
    assert parameters(stored) == {
        "m": RFC_9106_LOW_MEMORY.memory_cost,
        "t": RFC_9106_LOW_MEMORY.time_cost,
        "p": 1,
    }


@pytest.mark.parametrize(
    "stored",
    [
        generate_password_hash(PASSWORD, method="scrypt:1024:8:1"),
        generate_password_hash(PASSWORD, method="pbkdf2:sha256:1000"),
    ],
    ids=["scrypt", "pbkdf2"],
)
def test_older_hashes_still_verify_and_are_replaced_at_sign_in(client, rep_a, stored):
    rep_a.password_hash = stored
    db.session.commit()
    assert rep_a.check_password(PASSWORD) and rep_a.password_needs_rehash()

    wrong = client.post("/login", data={"email": rep_a.email, "password": "yanlış parola 1"})
    assert wrong.status_code == 200
    db.session.expire_all()
    assert rep_a.password_hash == stored  # a wrong guess changes nothing

    right = client.post("/login", data={"email": rep_a.email, "password": PASSWORD})
    assert right.status_code == 303
    db.session.expire_all()
    assert rep_a.password_hash.startswith("$argon2id$")
    assert rep_a.check_password(PASSWORD) and not rep_a.password_needs_rehash()


def test_hashes_with_weaker_parameters_are_replaced_at_sign_in(app, client, rep_a, clock):
    before = rep_a.password_hash
    app.config["ARGON2_MEMORY_COST"] = 16
    assert rep_a.password_needs_rehash()
    assert rep_a.check_password(PASSWORD)  # still the password, under the old parameters
    accounts.authenticate(rep_a.email, PASSWORD, clock.now)
    db.session.commit()
    assert rep_a.password_hash != before
    assert parameters(rep_a.password_hash)["m"] == 16
    assert not rep_a.password_needs_rehash()


def test_an_inactive_accounts_hash_is_left_alone(app, rep_a, organizer, clock):
    rep_a.password_hash = generate_password_hash(PASSWORD, method="scrypt:1024:8:1")
    accounts.set_active(rep_a, False, organizer)
    db.session.commit()
    with pytest.raises(DomainError):
        accounts.authenticate(rep_a.email, PASSWORD, clock.now)
    assert rep_a.password_hash.startswith("scrypt:")


@pytest.mark.parametrize(
    "stored",
    ["", "-", "$argon2id$v=19$m=8,t=1,p=1$broken", "plain text", "scrypt:1:2:3$x$y"],
)
def test_anything_that_is_not_a_hash_never_verifies(app, stored):
    assert verify_password(stored, "") is False
    assert verify_password(stored, PASSWORD) is False
    assert needs_rehash(stored)


def test_argon2i_and_argon2d_hashes_are_upgraded_to_argon2id(app):
    from argon2 import Type

    for kind in (Type.I, Type.D):
        stored = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1, type=kind).hash(PASSWORD)
        assert verify_password(stored, PASSWORD)
        assert needs_rehash(stored)

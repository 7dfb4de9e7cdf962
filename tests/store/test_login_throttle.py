"""The endpoint login throttle cannot be walked around by respelling the login or sharing processes.

Found by a hostile client: ten wrong passwords locked ``bizuno-sync@example.com``
but ``Bizuno-sync@…`` and ``bIzuno-sync@…`` each got ten more, and the right
password under a new spelling got in while the original was locked.
"""

import os

import pytest
from django.contrib.auth.models import Permission
from django.core.cache import cache, caches
from django.core.management import call_command
from django.db import connection

from bizunosync.store.endpoints import auth

from .conftest import put

pytestmark = pytest.mark.django_db

BATCH = [{"SKU": "NOPE", "QtyStock": "1"}]
LOCKED = {"code": "rest_too_many_attempts", "message": "Too many failed logins. Try again in a few minutes.",
          "data": {"status": 429}}


@pytest.fixture
def sync_user(django_user_model):
    user = django_user_model.objects.create_user("bizuno-sync", email="bizuno-sync@example.com", password="right-pw")
    user.user_permissions.add(Permission.objects.get(codename="manage_store_sync"))
    return user


def call(client, login, password, addr="203.0.113.7"):
    return put(client, "product/refresh", BATCH, headers={"HTTP_EMAIL": login, "HTTP_PASS": password},
               REMOTE_ADDR=addr)


def lock(client, login, addr="203.0.113.7"):
    for _ in range(auth.FAILURE_LIMIT):
        assert call(client, login, "guess", addr).status_code == 401


@pytest.mark.parametrize("spelling", ["Bizuno-sync@example.com", "bIzuno-sync@example.com", "BIZUNO-SYNC@EXAMPLE.COM",
                                      "bizuno-sync"])
def test_a_locked_account_stays_locked_under_another_spelling(client, sync_user, spelling):
    lock(client, "bizuno-sync@example.com")

    wrong = call(client, spelling, "guess", addr="198.51.100.9")  # from elsewhere, too
    right = call(client, spelling, "right-pw", addr="198.51.100.9")

    assert (wrong.status_code, wrong.json()) == (429, LOCKED)
    assert (right.status_code, right.json()) == (429, LOCKED)


def test_the_right_password_under_the_original_spelling_is_refused_while_locked(client, sync_user):
    lock(client, "bizuno-sync@example.com")

    assert call(client, "bizuno-sync@example.com", "right-pw").status_code == 429


def test_an_unknown_login_is_counted_case_folded(client, sync_user):
    lock(client, "ghost@example.com", addr="203.0.113.1")

    assert call(client, "GHOST@example.com", "guess", addr="203.0.113.2").status_code == 429
    assert call(client, "Ghost@Example.com", "guess", addr="203.0.113.3").status_code == 429
    # Another account is not collateral damage.
    assert call(client, "bizuno-sync@example.com", "right-pw", addr="203.0.113.4").status_code == 200


def test_one_address_spraying_many_logins_is_throttled_and_other_addresses_are_not(client, sync_user):
    for n in range(auth.ADDRESS_FAILURE_LIMIT):
        assert call(client, f"user{n}@example.com", "guess").status_code == 401

    assert call(client, "bizuno-sync@example.com", "right-pw").status_code == 429
    assert call(client, "bizuno-sync@example.com", "right-pw", addr="198.51.100.9").status_code == 200


def test_the_lock_is_checked_before_any_hashing(client, sync_user, monkeypatch):
    lock(client, "bizuno-sync@example.com")
    hashed = []
    monkeypatch.setattr(auth, "check_password", lambda *a: hashed.append(a) or False)
    monkeypatch.setattr(type(sync_user), "check_password", lambda self, pw: hashed.append(pw) or False)

    assert call(client, "Bizuno-Sync@example.com", "right-pw").status_code == 429
    assert hashed == []


def test_a_locked_login_is_logged_without_any_password(client, sync_user, caplog):
    lock(client, "bizuno-sync@example.com")
    call(client, "BIZUNO-sync@example.com", "right-pw")

    assert "Throttled store-sync login 'BIZUNO-sync@example.com' from 203.0.113.7" in caplog.text
    assert "right-pw" not in caplog.text and "guess" not in caplog.text


@pytest.mark.skipif(bool(os.environ.get("CACHE_URL")), reason="CACHE_URL selects another shared cache")
def test_the_counters_live_in_the_database_cache_every_process_shares(client, sync_user):
    lock(client, "bizuno-sync@example.com")
    # What a second web process builds from the same settings: a new cache object, nothing in memory.
    other_process = caches.create_connection("default")

    assert type(caches["default"]).__name__ == "DatabaseCache"
    assert other_process.get(auth._failure_keys(sync_user, "", "203.0.113.7")["account"]) == auth.FAILURE_LIMIT


@pytest.mark.skipif(bool(os.environ.get("CACHE_URL")), reason="CACHE_URL selects another shared cache")
def test_migrate_creates_the_cache_table_when_it_is_missing():
    table = cache._table
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE {connection.ops.quote_name(table)}")
    assert table not in connection.introspection.table_names()

    call_command("migrate", verbosity=0)

    assert table in connection.introspection.table_names()
    cache.set("probe", 1)
    assert cache.get("probe") == 1

"""Who may call the store endpoints: the email/pass headers (PROTOCOL §2.1)."""

import logging

import pytest
from django.contrib.auth.base_user import AbstractBaseUser

from bizunosync.store.endpoints import auth
from bizunosync.sync.models import InboundCall

from .conftest import put

pytestmark = pytest.mark.django_db

BATCH = [{"SKU": "NOPE", "QtyStock": "1"}]


def creds(login, password):
    return {"HTTP_EMAIL": login, "HTTP_PASS": password}


def test_it_answers_401_in_the_wordpress_shape_without_credentials(client):
    response = put(client, "product/refresh", BATCH, headers={})
    assert response.status_code == 401
    assert response.json() == {"code": "rest_forbidden", "message": "Missing credentials.", "data": {"status": 401}}


def test_it_answers_401_when_only_the_password_is_missing(client, alice):
    response = put(client, "product/refresh", BATCH, headers={"HTTP_EMAIL": "alice@example.com"})
    assert response.status_code == 401
    assert response.json()["message"] == "Missing credentials."


@pytest.mark.parametrize("login,password", [("alice@example.com", "wrong"), ("nobody@example.com", "alice-password")])
def test_it_answers_401_for_wrong_credentials(client, alice, login, password):
    response = put(client, "product/refresh", BATCH, headers=creds(login, password))
    assert response.status_code == 401
    assert response.json() == {"code": "rest_forbidden", "message": "Invalid credentials.", "data": {"status": 401}}


def test_it_answers_403_to_a_valid_login_without_the_sync_permission(client, charlie):
    response = put(client, "product/refresh", BATCH, headers=creds("charlie@example.com", "charlie-password"))
    assert response.status_code == 403
    assert response.json()["code"] == "rest_forbidden"
    assert response.json()["data"] == {"status": 403}


def test_it_lets_a_superuser_in(client, admin_user_with_password):
    response = put(client, "product/refresh", BATCH, headers=creds("boss@example.com", "boss-password"))
    assert response.status_code == 200


def test_it_accepts_the_user_name_as_well_as_the_email(client, alice):
    assert put(client, "product/refresh", BATCH, headers=creds("alice", "alice-password")).status_code == 200
    assert put(client, "product/refresh", BATCH, headers=creds("ALICE@example.com", "alice-password")).status_code == 200


def test_it_honours_a_permission_given_through_a_group(client, charlie):
    from django.contrib.auth.models import Group, Permission

    group = Group.objects.create(name="Bizuno")
    group.permissions.add(Permission.objects.get(codename="manage_store_sync"))
    charlie.groups.add(group)
    assert put(client, "product/refresh", BATCH, headers=creds("charlie", "charlie-password")).status_code == 200


@pytest.fixture
def hash_checks(monkeypatch):
    calls = []
    original = AbstractBaseUser.check_password

    def counting(self, raw):
        calls.append(raw)
        return original(self, raw)

    monkeypatch.setattr(AbstractBaseUser, "check_password", counting)
    return calls


def test_it_verifies_the_password_hash_once_for_many_calls(client, alice, hash_checks):
    for _ in range(5):
        assert put(client, "product/refresh", BATCH).status_code == 200
    assert len(hash_checks) == 1


def test_a_password_change_takes_effect_at_once_despite_the_cache(client, alice):
    assert put(client, "product/refresh", BATCH).status_code == 200
    alice.set_password("new-password")
    alice.save()
    assert put(client, "product/refresh", BATCH).status_code == 401
    assert put(client, "product/refresh", BATCH, headers=creds("alice@example.com", "new-password")).status_code == 200


def test_a_deactivated_user_is_refused_at_once_despite_the_cache(client, alice):
    assert put(client, "product/refresh", BATCH).status_code == 200
    alice.is_active = False
    alice.save()
    assert put(client, "product/refresh", BATCH).status_code == 401


def test_a_withdrawn_permission_takes_effect_at_once(client, alice):
    assert put(client, "product/refresh", BATCH).status_code == 200
    alice.user_permissions.clear()
    assert put(client, "product/refresh", BATCH).status_code == 403


def test_the_cache_never_holds_the_password(alice):
    digest = auth._digest("alice@example.com", "alice-password", alice.password, True)
    assert "alice-password" not in digest
    assert digest != auth._digest("alice@example.com", "alice-password", alice.password, False)


def test_it_throttles_a_caller_after_repeated_failures_and_logs_without_the_password(client, alice, caplog):
    caplog.set_level(logging.WARNING, logger="bizunosync.store.auth")
    for _ in range(auth.FAILURE_LIMIT):
        assert put(client, "product/refresh", BATCH, headers=creds("alice", "guess-123")).status_code == 401
    response = put(client, "product/refresh", BATCH, headers=creds("alice", "alice-password"))
    assert response.status_code == 429
    assert response.json()["data"] == {"status": 429}
    assert response["Retry-After"]
    assert "guess-123" not in caplog.text and "alice-password" not in caplog.text
    assert "Throttled" in caplog.text


def test_throttling_one_caller_leaves_another_login_alone(client, alice, charlie):
    for _ in range(auth.FAILURE_LIMIT):
        put(client, "product/refresh", BATCH, headers=creds("charlie", "nope"))
    assert put(client, "product/refresh", BATCH).status_code == 200


def test_rejected_calls_are_recorded_with_the_login_but_never_the_password(client, alice):
    put(client, "product/refresh", BATCH, headers=creds("alice", "secret-guess"))
    call = InboundCall.objects.get()
    assert (call.endpoint, call.caller, call.http_status, call.result) == ("product/refresh", "alice", 401, "rejected")
    assert "secret-guess" not in str(InboundCall.objects.values().get())

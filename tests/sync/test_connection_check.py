"""Test connection: one authenticated call that writes nothing, against real loopback peers."""

from __future__ import annotations

import socket

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from bizunosync.books.models import PortalSettings
from bizunosync.store.models import Product
from bizunosync.sync import connection_check
from bizunosync.sync.connections import BizunoConnection, StoreConnection
from bizunosync.sync.models import InboundCall, SyncJob
from tests.store.conftest import make_product
from tests.support import faultserver as fs

TOKEN = "portal-token-for-the-test-7Qx"


def bizuno_at(url, token=TOKEN):
    conn = BizunoConnection.load()
    conn.url, conn.connect_timeout, conn.read_timeout = url, 1, 5
    conn.set_token(token)
    conn.save()
    return conn


def store_at(url, email="alice@example.com", password="alice-password", **extra):
    conn = StoreConnection.load()
    conn.url, conn.email, conn.connect_timeout, conn.read_timeout = url, email, 1, 5
    conn.set_password(password)
    for name, value in extra.items():
        setattr(conn, name, value)
    conn.save()
    return conn


@pytest.fixture
def portal(django_user_model, db):
    settings = PortalSettings.load()
    settings.set_token(TOKEN)
    settings.api_user = django_user_model.objects.create_user("bizuno-api")
    settings.save()
    return settings


def states(outcome) -> dict:
    return {check.name: check.state for check in outcome.checks}


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# ------------------------------------------------------------------ store → Bizuno


@pytest.mark.django_db(transaction=True)
def test_a_good_token_passes_every_check_and_bizuno_books_nothing(live_server, portal):
    outcome = connection_check.check_bizuno(bizuno_at(f"{live_server.url}/bizuno/"))

    assert outcome.ok, outcome.headline
    assert outcome.headline.startswith("Connected: Bizuno accepted the API token")
    assert states(outcome) == {"Reached": "passed", "TLS": "not used", "Not blocked by a proxy/WAF": "passed",
                               "API token accepted": "passed", "Permission present": "passed"}
    call = InboundCall.objects.get()
    assert call.endpoint == "shipGetRates" and call.item_count == 0  # a rate lookup with nothing to quote
    assert not SyncJob.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_a_wrong_token_is_named_as_the_thing_that_failed(live_server, portal):
    outcome = connection_check.check_bizuno(bizuno_at(f"{live_server.url}/bizuno/", token="not-the-token"))

    assert not outcome.ok
    assert outcome.headline == "Reached Bizuno, which refused the API token."
    assert states(outcome)["Reached"] == "passed" and states(outcome)["API token accepted"] == "failed"
    assert states(outcome)["Permission present"] == "untried"
    assert outcome.answer == "Invalid API token."
    assert "not-the-token" not in repr(outcome) and TOKEN not in repr(outcome)


@pytest.mark.django_db(transaction=True)
def test_an_inactive_api_user_is_a_missing_permission_not_a_bad_token(live_server, portal):
    portal.api_user.is_active = False
    portal.api_user.save()

    outcome = connection_check.check_bizuno(bizuno_at(f"{live_server.url}/bizuno/"))

    assert states(outcome)["API token accepted"] == "passed" and states(outcome)["Permission present"] == "failed"
    assert "API user is missing or inactive" in outcome.headline


def test_a_bizuno_that_answers_invalid_token_inside_a_200_is_still_a_refused_token(db):
    with fs.FaultServer(fs.json_reply({"message": {"error": [{"text": "Illegal access: bad API token!"}]}})) as peer:
        outcome = connection_check.check_bizuno(bizuno_at(peer.url))

    assert states(outcome)["API token accepted"] == "failed"
    assert outcome.answer == "Illegal access: bad API token!"
    assert peer.last.method == "GET" and peer.last.query == {"bizRt": ["portal/api/shipGetRates"]}
    assert peer.last.headers["x-bizuno-token"] == TOKEN


def test_nothing_listening_says_it_could_not_reach_and_tries_nothing_else(db):
    outcome = connection_check.check_bizuno(bizuno_at(f"http://127.0.0.1:{closed_port()}/bizuno/"))

    assert outcome.headline == "Could not reach Bizuno."
    assert states(outcome)["Reached"] == "failed" and states(outcome)["API token accepted"] == "untried"
    assert "connection refused" in outcome.by_name["Reached"].detail


def test_https_to_a_server_that_does_not_speak_tls_fails_at_the_handshake(db):
    with fs.FaultServer(fs.success()) as peer:
        outcome = connection_check.check_bizuno(bizuno_at(peer.url.replace("http://", "https://")))

    assert states(outcome)["Reached"] == "passed" and states(outcome)["TLS"] == "failed"
    assert outcome.headline == "Reached Bizuno, but the TLS handshake failed."


def test_an_unset_connection_says_what_to_enter_and_sends_nothing(db):
    outcome = connection_check.check_bizuno(BizunoConnection.load())

    assert not outcome.ok and "Bizuno connection is not set up" in outcome.headline
    assert set(states(outcome).values()) <= {"untried", "not used"}


# ------------------------------------------------------------------ books → store


@pytest.mark.django_db(transaction=True)
def test_a_good_store_login_passes_and_the_store_changes_nothing(live_server, alice):
    make_product("MUG", price="5", stock=3)

    outcome = connection_check.check_store(store_at(live_server.url))

    assert outcome.ok, outcome.headline
    assert states(outcome) == {"Reached": "passed", "TLS": "not used", "Not blocked by a proxy/WAF": "passed",
                               "WordPress login accepted": "passed", "Permission present": "passed"}
    assert outcome.answer == "No items provided"
    mug = Product.objects.get(sku="MUG")
    assert (mug.price, mug.stock_quantity) == (5, 3)
    call = InboundCall.objects.get()
    assert call.endpoint == "product/refresh" and call.method == "PUT" and call.caller == "alice@example.com"


@pytest.mark.django_db(transaction=True)
def test_a_wrong_store_password_is_a_refused_login(live_server, alice):
    outcome = connection_check.check_store(store_at(live_server.url, password="wrong-password"))

    assert outcome.headline == "Reached the store, which refused the WordPress login (HTTP 401)."
    assert states(outcome)["WordPress login accepted"] == "failed"
    assert outcome.answer == "Invalid credentials."


@pytest.mark.django_db(transaction=True)
def test_a_login_without_the_sync_permission_is_a_missing_permission(live_server, charlie):
    outcome = connection_check.check_store(store_at(live_server.url, "charlie@example.com", "charlie-password"))

    assert states(outcome)["WordPress login accepted"] == "passed"
    assert states(outcome)["Permission present"] == "failed"
    assert "may not manage the store sync" in outcome.headline


def test_a_waf_blocking_put_is_named_with_the_proxy_safe_advice(db):
    with fs.FaultServer(fs.html_page(403)) as store:
        outcome = connection_check.check_store(store_at(store.url))

    assert states(outcome)["Reached"] == "passed" and states(outcome)["Not blocked by a proxy/WAF"] == "failed"
    assert states(outcome)["WordPress login accepted"] == "untried"
    assert "Turn on proxy-safe mode" in outcome.advice and "911100" in outcome.advice


def test_proxy_safe_mode_sends_the_test_as_post_with_the_override_like_quick_refresh(db):
    with fs.FaultServer(fs.json_reply({"result": "Fail", "note": "No items provided", "message": []})) as store:
        outcome = connection_check.check_store(store_at(store.url, method_override=True))

    assert outcome.ok
    assert store.last.method == "POST" and store.last.headers["x-http-method-override"] == "PUT"
    assert store.last.path == "/wp-json/bizuno-api/v1/product/refresh" and store.last.body == b""


def test_a_store_that_says_something_else_is_reported_in_its_own_words(db):
    with fs.FaultServer(fs.fail("Database is read-only")) as store:
        outcome = connection_check.check_store(store_at(store.url))

    assert not outcome.ok
    assert outcome.headline == "Reached the store and logged in, but it refused the test call: Database is read-only"


# ------------------------------------------------------------------ the admin pages


def test_the_buttons_sit_on_both_connection_pages_for_superusers(admin_client):
    pks = {"sync_bizunoconnection": BizunoConnection.load().pk, "sync_storeconnection": StoreConnection.load().pk}
    for name, pk in pks.items():
        page = admin_client.get(reverse(f"admin:{name}_change", args=[pk])).content.decode()
        assert 'id="test-connection"' in page and ">Test connection</button>" in page
        assert 'href="/admin/connections/">Connections</a>' in page


def test_the_button_needs_the_sending_sides_permission(make_staff, client):
    clerk = make_staff()
    clerk.user_permissions.add(*Permission.objects.filter(codename__in=["view_bizunoconnection",
                                                                       "change_bizunoconnection"]))
    client.force_login(clerk)
    BizunoConnection.load()
    url = reverse("admin:sync_bizunoconnection_test", args=[1])

    page = client.get(reverse("admin:sync_bizunoconnection_change", args=[1])).content.decode()
    refused = client.post(url)

    assert 'id="test-connection"' not in page
    assert refused.status_code == 403
    assert "Can send orders to Bizuno" in refused.content.decode()


def test_store_side_staff_may_not_test_the_books_connection(make_staff, client):
    seller = make_staff("seller", extra=["store.send_to_bizuno"])
    seller.user_permissions.add(*Permission.objects.filter(codename__in=["view_storeconnection"]))
    client.force_login(seller)
    store = StoreConnection.load()

    assert client.post(reverse("admin:sync_storeconnection_test", args=[store.pk])).status_code == 403


def test_a_get_only_goes_back_to_the_page_and_sends_nothing(admin_client):
    store = StoreConnection.load()
    response = admin_client.get(reverse("admin:sync_storeconnection_test", args=[store.pk]))

    assert response.status_code == 302
    assert response["Location"] == reverse("admin:sync_storeconnection_change", args=[store.pk])


def test_the_answer_page_lists_each_check_in_plain_words(admin_client, db):
    with fs.FaultServer(fs.html_page(403)) as store:
        conn = store_at(store.url)
        page = admin_client.post(reverse("admin:sync_storeconnection_test", args=[conn.pk])).content.decode()

    assert "Does not work." in page
    assert "a proxy/WAF blocked the call before the store saw it" in page
    assert "✗ No" in page and "✓ Yes" in page and "– Not reached" in page
    assert "What to do:</strong> Turn on proxy-safe mode" in page
    assert "PUT product/refresh with no items" in page


def test_with_several_stores_each_page_tests_its_own_store(admin_client, db):
    with fs.FaultServer(fs.json_reply({"result": "Fail", "note": "No items provided", "message": []})) as second:
        StoreConnection.load()  # the first store, not set up
        other = StoreConnection.objects.create(name="Outlet", url=second.url, email="bot@outlet.example",
                                               order_prefix="OUT")
        other.set_password("outlet-password")
        other.save()

        page = admin_client.post(reverse("admin:sync_storeconnection_test", args=[other.pk])).content.decode()

    assert "Works." in page and "Outlet" in page
    assert second.last.headers["email"] == "bot@outlet.example"

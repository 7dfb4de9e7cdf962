"""Checkout rates: from Bizuno, from the cache, or the fallback — never an exception, never a hang."""

import time
from decimal import Decimal

import pytest
from django.urls import reverse

from bizunosync.books.models import PortalSettings, ShippingRateRule
from bizunosync.store.rates.service import quote
from bizunosync.store.models import RateQuote
from bizunosync.sync.models import SyncJob
from tests.support.faultserver import FaultServer, dead_url, html_page, json_reply, stall, text_reply

from .conftest import BERLIN, TOKEN

pytestmark = pytest.mark.django_db

FEDEX = {"pkg": {"destination": {}}, "rates": [{"id": "fedex:GND", "title": "FedEx Ground", "quote": "12.40"}]}


def test_rates_come_from_bizuno_with_a_get_and_no_empty_parameters(connect):
    with FaultServer(json_reply(FEDEX)) as server:
        connect(server.url + "/bizuno")
        result = quote({**BERLIN, "address_2": "", "address": ""}, Decimal("2.5"))

    assert (result.source, result.notice, result.problem) == ("bizuno", "", "")
    assert [(r.id, r.title, r.quote) for r in result.rates] == [("fedex:GND", "FedEx Ground", Decimal("12.40"))]
    sent = server.last
    assert (sent.method, sent.path, sent.body) == ("GET", "/bizuno/", b"")
    assert sent.query == {
        "bizRt": ["portal/api/shipGetRates"], "country": ["DE"], "state": ["BE"], "postcode": ["10119"],
        "city": ["Berlin"], "address_1": ["Torstraße 12"], "totalWeight": ["2.5"],
    }
    assert sent.headers["x-bizuno-token"] == TOKEN and "authorization" not in sent.headers
    logged = RateQuote.objects.get()
    assert (logged.destination, logged.rates, logged.fallback_used) == ("DE BE 10119, 2.5 kg", [["fedex:GND", "FedEx Ground", "12.40"]], False)
    assert logged.duration_ms is not None and logged.http_status == 200
    assert not SyncJob.objects.exists()  # a shopper's quote is not a staff job


def test_a_second_quote_for_the_same_destination_and_weight_sends_nothing(connect):
    with FaultServer(json_reply(FEDEX)) as server:
        connect(server.url, rates_cache_seconds=300)
        first = quote(BERLIN, Decimal("2.5"))
        second = quote({**BERLIN, "postcode": "10119 "}, Decimal("2.50"))
        other_weight = quote(BERLIN, Decimal("3"))

    assert (first.source, second.source, other_weight.source) == ("bizuno", "cache", "bizuno")
    assert second.rates == first.rates
    assert len(server.requests) == 2


def test_a_dead_port_gives_the_flat_fallback_at_once(connect):
    connect(dead_url(), rates_fallback="flat", rates_fallback_title="Standard shipping",
            rates_fallback_amount=Decimal("6.50"))

    started = time.monotonic()
    result = quote(BERLIN, Decimal("1"))

    assert time.monotonic() - started < 1.5
    assert result.source == "fallback"
    assert [(r.title, r.quote) for r in result.rates] == [("Standard shipping", Decimal("6.50"))]
    assert "standard rate" in result.notice
    logged = RateQuote.objects.get()
    assert (logged.fallback_used, logged.failure_class) == (True, "connection")
    assert "Could not connect to Bizuno (connection refused)" in logged.problem
    assert not SyncJob.objects.exists()


def test_a_stalled_bizuno_gives_the_fallback_within_the_rates_timeout(connect):
    with FaultServer(stall(5)) as server:
        connect(server.url, rates_timeout=0.4, rates_fallback="none")
        started = time.monotonic()
        result = quote(BERLIN, Decimal("1"))
        took = time.monotonic() - started

    assert 0.3 < took < 1.5
    assert (result.source, result.rates) == ("fallback", [])
    assert "unavailable right now" in result.notice
    assert RateQuote.objects.get().failure_class == "read_timeout"


@pytest.mark.parametrize("behaviour, failure_class", [
    (text_reply("<b>Fatal error</b>: Allowed memory size exhausted"), "not_json"),
    (json_reply({"rates": [{"id": "x", "quote": "twelve"}]}), "wrong_shape"),
    (html_page(403), "waf_block"),
])
def test_garbage_answers_give_the_fallback_and_are_logged(connect, behaviour, failure_class):
    with FaultServer(behaviour) as server:
        connect(server.url, rates_fallback="flat", rates_fallback_amount=Decimal("5"))
        result = quote(BERLIN, Decimal("1"))
        again = quote(BERLIN, Decimal("1"))

    assert (result.source, again.source) == ("fallback", "fallback")  # failures are not cached
    assert len(server.requests) == 2
    assert RateQuote.objects.filter(failure_class=failure_class, fallback_used=True).count() == 2


def test_no_postcode_means_no_rates_and_no_call(connect):
    with FaultServer(json_reply(FEDEX)) as server:
        connect(server.url)
        result = quote({"country": "DE"}, Decimal("1"))

    assert (result.rates, result.notice, server.requests) == ([], "Enter a postcode to see shipping rates.", [])


def test_without_a_connection_the_fallback_is_used_and_nothing_logged(db):
    result = quote(BERLIN, Decimal("1"))

    assert result.source == "fallback" and not SyncJob.objects.exists() and not RateQuote.objects.exists()


def test_an_unreadable_destination_is_a_fallback_not_an_exception(connect):
    connect("http://127.0.0.1:9")
    result = quote({**BERLIN, "postcode": "9" * 40}, Decimal("1"))

    assert result.source == "fallback" and "postcode" in result.problem


# ---------------------------------------------------------------- JSON view


def test_the_checkout_view_answers_rates_as_json(client, connect):
    with FaultServer(json_reply(FEDEX)) as server:
        connect(server.url)
        response = client.get(reverse("shop-rates"), {**BERLIN, "weight": "2.5"})

    assert response.status_code == 200
    assert response.json() == {
        "source": "bizuno", "notice": "",
        "rates": [{"id": "fedex:GND", "title": "FedEx Ground", "quote": "12.40"}],
    }
    assert server.last.query["totalWeight"] == ["2.5"]
    assert "no-cache" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]


def test_the_checkout_view_refuses_an_unreadable_weight_naming_it(client, connect):
    connect("http://127.0.0.1:9")
    response = client.get("/shop/rates/", {**BERLIN, "weight": "heavy"})

    assert response.status_code == 400
    assert response.json()["field"] == "weight"


def test_the_checkout_view_takes_only_get(client, db):
    assert client.post("/shop/rates/", BERLIN).status_code == 405


# ---------------------------------------------------- the books side, live


@pytest.mark.django_db(transaction=True)
def test_rates_from_the_books_side_over_http(live_server, django_user_model, connect):
    portal = PortalSettings.load()
    portal.set_token(TOKEN)
    portal.api_user = django_user_model.objects.create_user("bizuno-api")
    portal.save()
    ShippingRateRule.objects.create(rate_id="dhl:STD", title="DHL Paket", country="DE", price=Decimal("5.49"))
    ShippingRateRule.objects.create(rate_id="ups:INT", title="UPS Worldwide", country="", price=Decimal("29"))
    connect(f"{live_server.url}/bizuno", rates_timeout=5)

    result = quote(BERLIN, Decimal("2"))

    assert result.source == "bizuno"
    assert [(r.id, r.title, r.quote) for r in result.rates] == [("dhl:STD", "DHL Paket", Decimal("5.49"))]

"""Wrong portal tokens are throttled per address (found by a hostile client: 200 wrong tokens in
1.5 s, all 403, never 429)."""

import logging

import pytest

from bizunosync.books.models import SalesOrder
from bizunosync.books.portal import auth
from bizunosync.sync.models import InboundCall

from .conftest import ORDER_ADD, SHIP_RATES, TOKEN, an_order, form_body

pytestmark = pytest.mark.django_db

THROTTLED = {"result": "Fail", "message": {"error": [{"text": auth.THROTTLED}]}}


def order_add(client, token, addr="203.0.113.7"):
    return client.post(ORDER_ADD, form_body(an_order()), content_type="application/x-www-form-urlencoded",
                       HTTP_X_BIZUNO_TOKEN=token, REMOTE_ADDR=addr)


def rates(client, token, addr="203.0.113.7"):
    return client.get(SHIP_RATES + "&country=DE&postcode=10119", HTTP_X_BIZUNO_TOKEN=token, REMOTE_ADDR=addr)


def guess(client, times, addr="203.0.113.7"):
    return [order_add(client, f"guess-{n}", addr).status_code for n in range(times)]


def test_wrong_tokens_past_the_limit_are_answered_429_in_bizunos_shape(client, portal, catalog):
    statuses = guess(client, auth.TOKEN_FAILURE_LIMIT)
    response = order_add(client, "guess-next")

    assert statuses == [403] * auth.TOKEN_FAILURE_LIMIT
    assert response.status_code == 429 and response.json() == THROTTLED
    assert response["Retry-After"] == str(auth.TOKEN_FAILURE_WINDOW)


def test_the_right_token_from_a_throttled_address_is_refused_too_and_books_nothing(client, portal, catalog):
    guess(client, auth.TOKEN_FAILURE_LIMIT)

    assert order_add(client, TOKEN).status_code == 429
    assert rates(client, TOKEN).status_code == 429  # every portal route shares the counter
    assert SalesOrder.objects.count() == 0


def test_another_address_is_not_throttled(client, portal, catalog):
    guess(client, auth.TOKEN_FAILURE_LIMIT)

    response = order_add(client, TOKEN, addr="198.51.100.20")

    assert response.status_code == 200 and response.json()["result"] == "Success"


def test_a_missing_token_is_refused_but_not_counted_as_a_guess(client, portal, catalog):
    for _ in range(auth.TOKEN_FAILURE_LIMIT + 5):
        assert client.post(ORDER_ADD, form_body(an_order()), content_type="application/x-www-form-urlencoded",
                           REMOTE_ADDR="203.0.113.7").status_code == 403

    assert order_add(client, TOKEN).status_code == 200


def test_failures_and_the_throttle_are_logged_without_any_token(client, portal, catalog, caplog):
    caplog.set_level(logging.WARNING, logger="bizunosync.books.portal")
    guess(client, auth.TOKEN_FAILURE_LIMIT)
    order_add(client, TOKEN)

    assert "Refused portal orderAdd from 203.0.113.7: Invalid API token." in caplog.text
    assert "Throttled portal orderAdd from 203.0.113.7: too many wrong tokens" in caplog.text
    assert "guess-" not in caplog.text and TOKEN not in caplog.text
    throttled = InboundCall.objects.filter(http_status=429).get()
    assert (throttled.caller, throttled.remote_addr) == ("throttled", "203.0.113.7")
    assert TOKEN not in str(InboundCall.objects.values_list())

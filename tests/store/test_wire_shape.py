"""What every store endpoint answer looks like: JSON always, WordPress-shaped errors."""

import json

import pytest

from bizunosync.store.services import product_refresh as refresh_service
from bizunosync.sync.models import InboundCall

from .conftest import ALICE, BASE, post, put

pytestmark = pytest.mark.django_db

ENDPOINTS = ["product/update", "product/refresh", "product/sync", "order/confirm"]


def assert_wp_error(response, status):
    assert response.status_code == status
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert set(body) >= {"code", "message", "data"} and body["data"]["status"] == status
    return body


@pytest.mark.parametrize("path", ["nope", "product", "product/update/extra", "v2/order"])
def test_an_unknown_route_under_the_prefix_is_a_json_404(client, path):
    body = assert_wp_error(client.get(BASE + path), 404)
    assert body["code"] == "rest_no_route"


@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_a_wrong_method_is_a_json_405_for_every_endpoint(client, alice, endpoint):
    assert_wp_error(client.get(BASE + endpoint, **ALICE), 405)
    assert_wp_error(client.delete(BASE + endpoint, **ALICE), 405)


def test_a_trailing_slash_reaches_the_endpoint(client, alice):
    response = client.put(BASE + "product/refresh/", "", content_type="application/x-www-form-urlencoded", **ALICE)
    assert response.json()["note"] == "No items provided"


def test_an_unexpected_failure_is_a_json_500_and_is_recorded(client, alice, settings_row, monkeypatch):
    def boom(*args):
        raise RuntimeError("unexpected")

    monkeypatch.setattr(refresh_service, "apply", boom)
    body = assert_wp_error(put(client, "product/refresh", [{"SKU": "A"}]), 500)
    assert "unexpected" not in json.dumps(body)
    call = InboundCall.objects.get()
    assert (call.http_status, call.result) == (500, "fail")


@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_a_form_body_that_is_not_utf8_is_a_400_naming_the_problem(client, alice, endpoint):
    method = "put" if endpoint == "product/refresh" else "post"
    body = assert_wp_error(post(client, endpoint, body=b"data%5BSKU%5D=%FF%FE", method=method), 400)
    assert "UTF-8" in body["message"]


@pytest.mark.parametrize(
    "raw,words",
    [(b'{"data": [', "malformed"), (b'\xff{"data": 1}', "UTF-8"), (b'[1, 2]', "object"), (b"[" * 100_000, "nested")],
)
def test_a_bad_json_body_is_a_400_naming_the_problem(client, alice, raw, words):
    response = client.put(BASE + "product/refresh", raw, content_type="application/json", **ALICE)
    body = assert_wp_error(response, 400)
    assert words in body["message"]


def test_an_unsupported_content_type_is_a_415(client, alice):
    response = client.post(BASE + "product/update", b"--x--", content_type="multipart/form-data; boundary=x", **ALICE)
    assert_wp_error(response, 415)


def test_an_over_deep_form_refresh_batch_is_a_400(client, alice):
    body = "data" + "%5Bx%5D" * 40 + "=1"
    response = client.put(BASE + "product/refresh", body, content_type="application/x-www-form-urlencoded", **ALICE)
    assert_wp_error(response, 400)


def test_success_answers_carry_an_empty_message_list_when_there_is_nothing_to_say(client, alice, settings_row):
    from .conftest import make_product

    make_product("A-1")
    assert put(client, "product/refresh", [{"SKU": "A-1"}]).json()["message"] == []


def test_a_refresh_item_that_is_not_a_group_of_fields_is_named(client, alice):
    body = put(client, "product/refresh", ["just text"]).json()
    assert body["message"]["error"][0]["text"].startswith("Skipped (no SKU): data[0]")


def test_update_with_a_data_that_is_not_a_product_fails_cleanly(client, alice):
    body = post(client, "product/update", body="data=hello").json()
    assert body["result"] == "Fail"


def test_a_body_over_the_size_limit_is_a_json_413(client, alice, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    response = put(client, "product/refresh", [{"SKU": "A", "Note": "x" * 5000}])
    assert_wp_error(response, 413)


def test_a_refused_method_is_recorded_with_the_login_tried(client, alice):
    client.get(BASE + "product/sync", **ALICE)
    call = InboundCall.objects.get()
    assert (call.caller, call.http_status, call.result) == ("alice@example.com", 405, "rejected")

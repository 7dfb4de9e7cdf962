"""Each store endpoint that writes commits its writes and its call log together (inbound.commit_with_log).

One commit for both, and never a write without its log row; a log that cannot be written still
leaves the writes applied, and a call that fails after writing leaves nothing but its log row.
"""

import json
from dataclasses import dataclass
from typing import Callable

import pytest
from django.db import DatabaseError

from bizunosync.store.endpoints import confirm, refresh, sync, update
from bizunosync.store.models import Order, Product
from bizunosync.sync.models import InboundCall

from .conftest import make_product, post, put

pytestmark = pytest.mark.django_db


@dataclass
class Call:
    module: object  # the endpoint's module, whose _answer builds the answer once the writes are done
    prepare: Callable
    send: Callable
    written: Callable  # True once the call's writes are in the database


CALLS = {
    "product/update": Call(
        update, lambda: None,
        lambda client: post(client, "product/update", {"SKU": "TEA-1", "Description": "Black Tea", "Price": "6.90"}),
        lambda: Product.objects.filter(sku="TEA-1").exists()),
    "product/refresh": Call(
        refresh, lambda: make_product("A-1", stock=1),
        lambda client: put(client, "product/refresh", [{"SKU": "A-1", "QtyStock": "7"}]),
        lambda: Product.objects.get(sku="A-1").stock_quantity == 7),
    "product/sync": Call(
        sync, lambda: (make_product("A-1"), make_product("OLD-1")),
        lambda client: post(client, "product/sync", {"syncTag": "inWooCommerce", "syncSkus": json.dumps(["A-1"]),
                                                     "syncDelete": "1"}),
        lambda: not Product.objects.filter(sku="OLD-1").exists()),
    "order/confirm": Call(
        confirm, lambda: Order.objects.create(number="1001", status="processing"),
        lambda client: post(client, "order/confirm", {"head": {"WC1001": "Shipped 12/08/2026 via UPS"},
                                                      "body": {"WC1001": "1Z999"}}),
        lambda: Order.objects.get(number="1001").status == "shipped"),
}


@pytest.mark.parametrize("name", CALLS)
def test_a_call_and_its_log_row_are_written_together(client, alice, settings_row, name):
    call = CALLS[name]
    call.prepare()
    assert call.send(client).status_code == 200
    assert call.written()
    assert list(InboundCall.objects.values_list("endpoint", "http_status")) == [(name, 200)]


@pytest.mark.parametrize("name", CALLS)
def test_a_log_row_that_cannot_be_written_leaves_the_call_applied(client, alice, settings_row, monkeypatch, name):
    call = CALLS[name]
    call.prepare()

    def refused(*args, **kwargs):
        raise DatabaseError("the log table is locked")

    monkeypatch.setattr(InboundCall.objects, "create", refused)
    assert call.send(client).status_code == 200
    assert call.written()


@pytest.mark.parametrize("name", CALLS)
def test_a_call_that_fails_after_writing_is_undone_and_logged_once_as_its_500(
        client, alice, settings_row, monkeypatch, name):
    call = CALLS[name]
    call.prepare()
    real_answer = call.module._answer

    def broken(*args):  # the writes are done by now; building the answer fails
        real_answer(*args)
        raise RuntimeError("a bug after the writes")

    monkeypatch.setattr(call.module, "_answer", broken)
    assert call.send(client).status_code == 500
    assert not call.written()
    assert list(InboundCall.objects.values_list("endpoint", "http_status", "result")) == [(name, 500, "fail")]

"""order/confirm: Bizuno's ship confirmations (PROTOCOL §2.6)."""

import pytest

from bizunosync.store.models import Order, OrderNote
from bizunosync.sync.models import InboundCall
from bizunosync.sync.touched import refs_of

from .conftest import post

pytestmark = pytest.mark.django_db

HEAD = "Shipped 11/27/2026 via FedEx Ground, tracking number(s):"


def confirm(client, refs):
    return post(client, "order/confirm", {"head": {r: HEAD for r in refs}, "body": {r: "1Z999, 1Z998" for r in refs}})


def test_it_marks_orders_shipped_with_a_customer_visible_note(client, alice, settings_row):
    o1 = Order.objects.create(number="1001", status="processing")
    Order.objects.create(number="1002", status="on-hold")
    body = confirm(client, ["WC1001", "WC1002"]).json()
    assert body == {"result": "Success", "message": {"success": [
        {"text": "Order status update complete, the following 2 order(s) were updated:  (WC1001, WC1002)"}]}}
    o1.refresh_from_db()
    assert o1.status == "shipped"
    note = OrderNote.objects.get(order=o1)
    assert note.text == f"{HEAD}\n1Z999, 1Z998" and note.customer_visible
    assert sorted(refs_of(InboundCall.objects.get())[0]) == sorted(f"store.order:{o.pk}" for o in Order.objects.all())


def test_an_already_shipped_order_is_left_alone(client, alice, settings_row):
    Order.objects.create(number="1001", status="shipped")
    body = confirm(client, ["WC1001"]).json()
    assert "0 order(s) were updated" in body["message"]["success"][0]["text"]
    assert not OrderNote.objects.exists()


def test_with_a_prefix_references_without_it_are_skipped(client, alice, settings_row):
    Order.objects.create(number="1001", status="processing")
    confirm(client, ["1001", "XX1001"])
    assert Order.objects.get().status == "processing"


def test_without_a_prefix_the_reference_is_the_number(client, alice, settings_row):
    from bizunosync.sync.connections import BizunoConnection

    conn = BizunoConnection.load()
    conn.order_prefix = ""
    conn.save()
    Order.objects.create(number="1001", status="processing")
    confirm(client, ["1001"])
    assert Order.objects.get().status == "shipped"


def test_no_head_at_all_answers_fail_with_the_plugins_titled_info(client, alice):
    # api_order.php shipConfirm(): return msgAdd("No orders were sent to confirm!", 'info') → null → 'Fail';
    # Bizuno's messageStack::add titles every info message lang('information').
    body = post(client, "order/confirm", body="").json()
    assert body == {"result": "Fail", "message": {"info": [{"text": "No orders were sent to confirm!", "title": "Information"}]}}


def test_a_head_that_is_a_list_of_lists_is_a_400_naming_the_field(client, alice, settings_row):
    Order.objects.create(number="1001", status="processing")
    response = post(client, "order/confirm", {"head": {"WC1001": {"x": "y"}}})
    assert response.status_code == 400
    assert "head[WC1001]" in response.json()["data"]["params"]
    assert Order.objects.get().status == "processing"


def test_confirmations_use_the_prefix_orders_were_exported_with(client, alice, settings_row):
    from bizunosync.sync.connections import BizunoConnection

    conn = BizunoConnection.load()
    conn.order_prefix = "SHOP-"
    conn.save()
    Order.objects.create(number="1001", status="processing")
    confirm(client, ["WC1001"])
    assert Order.objects.get().status == "processing"
    confirm(client, ["SHOP-1001"])
    assert Order.objects.get().status == "shipped"


def test_when_no_order_changes_the_message_lists_none_as_the_plugin_does(client, alice, settings_row):
    Order.objects.create(number="1001", status="shipped")
    text = confirm(client, ["WC1001"]).json()["message"]["success"][0]["text"]
    assert text == "Order status update complete, the following 0 order(s) were updated: "

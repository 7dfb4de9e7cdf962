"""Staff export from the order list and the order page; Bizuno's messages come back level by level."""

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from bizunosync.store.models import Order
from tests.support.faultserver import FaultServer, fail, json_reply

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:store_order_changelist")
def booked(warning_key="warning"):
    """Bizuno's orderAdd answer; real Bizuno files msgAdd(…, 'caution') under "warning"; older peers say "caution"."""
    return {"result": "Success", "ID": 5123, "messages": {warning_key: [{"text": "MUG is short: booked as a sales order."}],
                                                          "success": [{"text": "Order booked."}]}}


SUCCESS = booked()


def shown(response):
    return [(m.level_tag, str(m)) for m in get_messages(response.wsgi_request)]


@pytest.mark.parametrize("warning_key", ["warning", "caution"])
def test_the_list_action_exports_and_shows_bizunos_messages_level_by_level(admin_client, connect, make_order,
                                                                          warning_key):
    with FaultServer(json_reply(booked(warning_key))) as server:
        connect(server.url)
        order = make_order()
        response = admin_client.post(CHANGELIST, {"action": "export_to_bizuno", "_selected_action": [order.pk]}, follow=True)

    levels = shown(response)
    assert levels[0][0] == "success" and "Order 1001 booked in Bizuno as ID 5123 (PO WC1001)." in levels[0][1]
    assert ("warning", "Order 1001 – Bizuno says: MUG is short: booked as a sales order.") in levels
    assert ("success", "Order 1001 – Bizuno says: Order booked.") in levels
    assert Order.objects.get().bizuno_id == "5123"
    assert len(server.requests) == 1


def test_the_list_action_skips_an_exported_order_and_says_so(admin_client, connect, make_order):
    with FaultServer() as server:
        connect(server.url)
        order = make_order(exported=True, bizuno_id="77")
        response = admin_client.post(CHANGELIST, {"action": "export_to_bizuno", "_selected_action": [order.pk]}, follow=True)

    assert shown(response) == [("info", "Order 1001 is already in Bizuno (ID 77); skipped, nothing sent.")]
    assert server.requests == []


def test_a_refusal_is_an_error_message_with_a_link_to_the_sync_log(admin_client, connect, make_order):
    with FaultServer(fail("Unknown payment method.")) as server:
        connect(server.url)
        order = make_order()
        response = admin_client.post(CHANGELIST, {"action": "export_to_bizuno", "_selected_action": [order.pk]}, follow=True)

    levels = shown(response)
    assert levels[0][0] == "error" and "Bizuno refused the request: Unknown payment method." in levels[0][1]
    assert "/admin/sync/syncjob/" in levels[0][1]
    assert ("error", "Order 1001 – Bizuno says: Unknown payment method.") in levels


def test_force_re_export_asks_first_and_warns_it_books_twice(admin_client, connect, make_order):
    with FaultServer(json_reply({"result": "Success", "ID": 9})) as server:
        connect(server.url)
        order = make_order(exported=True, bizuno_id="77")
        data = {"action": "force_export_to_bizuno", "_selected_action": [order.pk]}
        page = admin_client.post(CHANGELIST, data)
        assert server.requests == []
        done = admin_client.post(CHANGELIST, {**data, "confirm": "yes"}, follow=True)

    assert page.status_code == 200
    assert "books it a" in page.content.decode() and "second time" in page.content.decode()
    assert "Bizuno ID 77" in page.content.decode()
    assert len(server.requests) == 1
    assert "booked in Bizuno again (it was ID 77) as ID 9" in shown(done)[0][1]


def test_the_order_page_has_an_export_button_that_posts(admin_client, connect, make_order):
    with FaultServer(json_reply({"result": "Success", "ID": 31})) as server:
        connect(server.url)
        order = make_order()
        url = reverse("admin:store_order_export", args=[order.pk])
        page = admin_client.get(reverse("admin:store_order_change", args=[order.pk]))
        get = admin_client.get(url)
        assert server.requests == []  # a GET never sends
        response = admin_client.post(url, follow=True)

    assert f'action="{url}"' in page.content.decode() and "Export to Bizuno" in page.content.decode()
    assert get.status_code == 302
    assert response.redirect_chain[-1][0] == reverse("admin:store_order_change", args=[order.pk])
    assert Order.objects.get().bizuno_id == "31"


def test_the_order_page_of_an_exported_order_leads_to_the_confirmation(admin_client, connect, make_order):
    with FaultServer() as server:
        connect(server.url)
        order = make_order(exported=True, bizuno_id="77")
        url = reverse("admin:store_order_export", args=[order.pk])
        unconfirmed = admin_client.post(url)
        assert server.requests == []
        admin_client.post(url, {"confirm": "yes"})

    assert "second time" in unconfirmed.content.decode()
    assert len(server.requests) == 1


def test_staff_without_change_permission_cannot_export(client, django_user_model, connect, make_order):
    from django.contrib.auth.models import Permission

    viewer = django_user_model.objects.create_user("viewer", password="pw", is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_order"))
    client.force_login(viewer)
    with FaultServer() as server:
        connect(server.url)
        order = make_order()
        response = client.post(reverse("admin:store_order_export", args=[order.pk]))

    assert response.status_code == 403 and server.requests == []


def test_the_quote_rates_page_is_filled_from_the_order_and_shows_bizunos_rates(admin_client, connect, make_order):
    answer = {"pkg": {}, "rates": [{"id": "dhl:STD", "title": "DHL Paket", "quote": "5.49"}]}
    with FaultServer(json_reply(answer)) as server:
        connect(server.url)
        order = make_order(shipping_city="Potsdam")
        url = reverse("admin:store_order_quote_rates")
        form_page = admin_client.get(url, {"order": order.pk})
        result_page = admin_client.get(url, {"country": "DE", "postcode": "14467", "city": "Potsdam", "weight": "2"})
        changelist = admin_client.get(CHANGELIST)

    assert 'value="Potsdam"' in form_page.content.decode() and 'value="10119"' in form_page.content.decode()
    assert "DHL Paket" in result_page.content.decode() and "5.49" in result_page.content.decode()
    assert server.last.query["postcode"] == ["14467"]
    assert url in changelist.content.decode()

"""Export, re-export and rate quotes reach Bizuno: they need "Can send orders to Bizuno", not order change rights."""

import pytest
from django.urls import reverse

from bizunosync.store.models import Order
from bizunosync.sync.models import SyncJob
from bizunosync.sync.permissions import SEND_TO_BIZUNO
from tests.support.faultserver import FaultServer

NEEDS = "Can send orders to Bizuno (export, retry)"
CHANGELIST = reverse("admin:store_order_changelist")

pytestmark = pytest.mark.django_db


@pytest.fixture
def clerk_client(client, clerk):
    client.force_login(clerk)
    return client


def test_a_clerk_cannot_export_an_order_from_its_page(clerk_client, connect, make_order):
    with FaultServer() as server:
        connect(server.url)
        order = make_order()
        page = clerk_client.get(reverse("admin:store_order_change", args=[order.pk])).content.decode()
        response = clerk_client.post(reverse("admin:store_order_export", args=[order.pk]))

    assert response.status_code == 403 and NEEDS in response.content.decode()
    assert reverse("admin:store_order_export", args=[order.pk]) not in page and server.requests == []
    assert not Order.objects.get(pk=order.pk).exported and not SyncJob.objects.exists()


def test_a_clerk_cannot_re_export_an_exported_order(clerk_client, connect, make_order):
    with FaultServer() as server:
        connect(server.url)
        order = make_order(exported=True, bizuno_id="77")
        response = clerk_client.post(reverse("admin:store_order_export", args=[order.pk]), {"confirm": "yes"})

    assert response.status_code == 403 and server.requests == []


@pytest.mark.parametrize("action", ["export_to_bizuno", "force_export_to_bizuno"])
def test_a_clerk_is_not_offered_the_export_actions_and_cannot_post_them(clerk_client, connect, make_order, action):
    with FaultServer() as server:
        connect(server.url)
        order = make_order()
        listing = clerk_client.get(CHANGELIST).content.decode()
        clerk_client.post(CHANGELIST, {"action": action, "_selected_action": [order.pk], "confirm": "yes"})

    assert f'value="{action}"' not in listing
    assert server.requests == [] and not SyncJob.objects.exists()


def test_a_clerk_cannot_quote_shipping_rates(clerk_client, connect):
    with FaultServer() as server:
        connect(server.url)
        listing = clerk_client.get(CHANGELIST).content.decode()
        response = clerk_client.get(reverse("admin:store_order_quote_rates"), {"country": "DE", "postcode": "10119"})

    assert response.status_code == 403 and NEEDS in response.content.decode()
    assert reverse("admin:store_order_quote_rates") not in listing and server.requests == []


def test_staff_with_the_send_permission_export_and_see_the_buttons(client, make_staff, connect, make_order):
    client.force_login(make_staff("sender", extra=[SEND_TO_BIZUNO]))
    with FaultServer() as server:
        connect(server.url)
        order = make_order()
        listing = client.get(CHANGELIST).content.decode()
        page = client.get(reverse("admin:store_order_change", args=[order.pk])).content.decode()
        client.post(CHANGELIST, {"action": "export_to_bizuno", "_selected_action": [order.pk]})

    assert reverse("admin:store_order_export", args=[order.pk]) in page
    assert 'value="export_to_bizuno"' in listing and reverse("admin:store_order_quote_rates") in listing
    assert len(server.requests) == 1

"""Many stores on one books side: the list of store connections, its setup rules, whose order is whose.

The end-to-end run with three real stores is tests/e2e/test_many_stores.py;
these are the rules, each on its own.
"""

from __future__ import annotations

from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from bizunosync.books import stores as store_rules
from bizunosync.books.jobs import cart_sync, quick_refresh
from bizunosync.books.models import Customer, Item, SalesOrder
from bizunosync.sync.connections import StoreConnection
from bizunosync.sync.models import InboundCall, SyncJob

from .conftest import an_order, line

pytestmark = pytest.mark.django_db


def _store(name, prefix, *, token="", url=None, active=True):
    conn = StoreConnection(name=name, url=url or f"https://{name.lower().replace(' ', '-')}.example.com",
                           email="bizuno@example.com", order_prefix=prefix, active=active)
    conn.set_password("wp-pass")
    conn.set_portal_token(token)
    conn.save()
    return conn


def _connect(*args):
    out = StringIO()
    call_command("store_connect", *args, stdout=out)
    return out.getvalue()


# ------------------------------------------------------------------ setup


def test_store_connect_with_a_new_name_adds_a_store_and_with_its_name_edits_it():
    _connect("--url", "https://eu.example.com", "--email", "b@example.com", "--password", "p1", "--order-prefix", "EU")

    added = _connect("--name", "US shop", "--url", "https://us.example.com", "--email", "b@example.com",
                     "--password", "p2", "--order-prefix", "US", "--portal-token", "us-token-1")
    edited = _connect("--name", "US shop", "--method-override", "--inactive")

    assert "Store connection “US shop” added: https://us.example.com" in added and "own portal token" in added
    assert "Store connection “US shop” saved" in edited and edited.rstrip().endswith("inactive.")
    assert [(s.name, s.order_prefix, s.method_override, s.active) for s in StoreConnection.objects.all()] == [
        ("eu.example.com", "EU", False, True), ("US shop", "US", True, False)]
    us = StoreConnection.objects.get(name="US shop")
    assert us.password_plain == "p2" and us.portal_token_plain == "us-token-1" and us.portal_token != "us-token-1"


def test_a_new_store_needs_its_url_and_login():
    with pytest.raises(CommandError, match="--url, --email, --password required for a new store"):
        _connect("--name", "Outlet")
    assert not StoreConnection.objects.exists()


@pytest.mark.parametrize("prefix", ["EU", "eu"])
def test_two_stores_with_the_same_order_prefix_are_refused_at_setup(prefix):
    _store("EU shop", "EU")

    with pytest.raises(CommandError, match="order_prefix: Store “EU shop” already uses the order prefix EU"):
        _connect("--name", "Other", "--url", "https://o.example.com", "--email", "b@example.com", "--password", "p",
                 "--order-prefix", prefix)
    assert StoreConnection.objects.count() == 1


def test_a_second_store_without_a_prefix_beside_one_without_is_refused(admin_client):
    _store("First", "")

    page = admin_client.post(reverse("admin:sync_storeconnection_add"), {
        "name": "Second", "active": "on", "url": "https://second.example.com", "email": "b@example.com",
        "new_secret": "p", "order_prefix": "", "connect_timeout": "5", "read_timeout": "60"})

    assert page.status_code == 200
    assert "Store “First” has no order prefix either" in page.content.decode()
    assert StoreConnection.objects.count() == 1


def test_one_portal_token_cannot_belong_to_two_stores():
    _store("EU shop", "EU", token="same-token")

    with pytest.raises(CommandError, match="store “EU shop” already has this token"):
        _connect("--name", "US shop", "--url", "https://us.example.com", "--email", "b@example.com",
                 "--password", "p", "--order-prefix", "US", "--portal-token", "same-token")


def test_an_existing_single_store_install_becomes_one_connection_named_after_its_url():
    from importlib import import_module

    from django.apps import apps

    conn = _store("placeholder", "")
    StoreConnection.objects.filter(pk=conn.pk).update(name="", url="https://shop.example.com/store/")
    migration = import_module("bizunosync.sync.migrations.0004_store_connections_are_a_list")

    migration.name_existing_stores(apps, None)

    assert StoreConnection.objects.get().name == "shop.example.com/store"


def test_the_store_list_shows_each_store_with_a_link_to_its_sync_history(admin_client):
    eu = _store("EU shop", "EU")
    _store("US shop", "US")

    page = admin_client.get(reverse("admin:sync_storeconnection_changelist")).content.decode()

    assert "EU shop" in page and "US shop" in page
    assert f"?store__id__exact={eu.pk}" in page


# ----------------------------------------------------------- whose order


def test_an_order_sent_with_a_stores_own_token_is_booked_as_that_stores(post_order, catalog):
    _store("EU shop", "EU", token="eu-token-7")
    us = _store("US shop", "US", token="us-token-7")

    status, data = post_order(an_order(po="US5001", lines=[line("TEA", "1")]), token="us-token-7")

    assert (status, data["result"]) == (200, "Success")
    booked = SalesOrder.objects.get(pk=data["ID"])
    assert booked.store == us and booked.customer.store == us
    assert InboundCall.objects.get().caller == "bizuno-api for US shop"


def test_the_shared_token_books_an_order_as_the_store_its_prefix_names(post_order, catalog):
    eu = _store("EU shop", "EU")
    _store("US shop", "US")

    status, data = post_order(an_order(po="EU1001", lines=[line("TEA", "1")]))

    assert SalesOrder.objects.get(pk=data["ID"]).store == eu


def test_an_inactive_stores_token_is_refused_and_nothing_is_booked(post_order, catalog):
    _store("Closed shop", "CL", token="closed-token", active=False)

    status, data = post_order(an_order(po="CL1", lines=[line("TEA", "1")]), token="closed-token")

    assert (status, data["result"]) == (403, "Fail")
    assert not SalesOrder.objects.exists() and not Customer.objects.exists()


def test_the_sales_order_list_filters_by_store(admin_client):
    eu, us = _store("EU shop", "EU"), _store("US shop", "US")
    SalesOrder.objects.create(po_reference="EU1", store=eu)
    SalesOrder.objects.create(po_reference="US1", store=us)

    page = admin_client.get(reverse("admin:books_salesorder_changelist"), {"store__id__exact": eu.pk})

    assert "EU1" in page.content.decode() and "US1" not in page.content.decode()


# --------------------------------------------------------------- publishing


@pytest.fixture
def published(db):
    eu, us = _store("EU shop", "EU"), _store("US shop", "US")
    for sku in ("A-ALL", "B-EU", "C-BOTH"):
        Item.objects.create(sku=sku, description_short=sku, full_price=Decimal("1"), sync_to_store=True)
    Item.objects.get(sku="B-EU").stores.set([eu])
    Item.objects.get(sku="C-BOTH").stores.set([eu, us])
    return eu, us


def test_an_item_with_no_store_chosen_goes_to_every_store_and_one_with_stores_only_to_those(published):
    eu, us = published

    assert [i.sku for i in quick_refresh.flagged_items(store=eu)] == ["A-ALL", "B-EU", "C-BOTH"]
    assert [i.sku for i in quick_refresh.flagged_items(store=us)] == ["A-ALL", "C-BOTH"]


def test_cart_sync_tells_each_store_only_what_is_published_there(published):
    eu, us = published

    # The store deletes every product not in its list: B-EU goes from the US shop, stays in the EU shop.
    assert cart_sync.flagged_skus(store=us) == ["A-ALL", "C-BOTH"]
    assert cart_sync.flagged_skus(store=eu) == ["A-ALL", "B-EU", "C-BOTH"]


def test_choosing_stores_costs_no_query_per_item(published, django_assert_num_queries):
    eu, _ = published
    for n in range(20):
        Item.objects.create(sku=f"X{n:02}", description_short="x", full_price=Decimal("1"), sync_to_store=True)

    with django_assert_num_queries(2):  # the items, their default-sheet tiers
        items = list(quick_refresh.flagged_items(store=eu))

    assert len(items) == 23


# ------------------------------------------------------------------ console


def test_the_console_runs_one_store_when_asked_and_refuses_a_store_that_is_not_there(published, admin_client):
    eu, us = published

    one = admin_client.post(reverse("admin:books_console_quick_refresh"), {"store": str(us.pk)})
    bogus = admin_client.post(reverse("admin:books_console_quick_refresh"), {"store": "999"})

    job = SyncJob.objects.get()
    assert (job.store, job.total, job.target) == (us, 2, "2 items → US shop")
    assert one["Location"] == reverse("admin:books_console_job", args=[job.pk])
    assert bogus.status_code == 400 and b"store: no active store has the id 999" in bogus.content


def test_the_console_lists_the_stores_and_offers_all_or_one(published, admin_client):
    page = admin_client.get(reverse("admin:books_console")).content.decode()

    assert "2 stores" in page
    assert '<option value="all">All stores (2)</option>' in page
    assert "EU shop" in page and "US shop" in page


def test_the_drift_report_shows_one_store_or_all(admin_client):
    from bizunosync.books.ownership import customer_values

    eu, us = _store("EU shop", "EU"), _store("US shop", "US")
    for email, store in (("eu@example.com", eu), ("us@example.com", us)):
        customer = Customer.objects.create(name="Sent", email=email, source=Customer.Source.STORE, store=store)
        customer.store_snapshot = customer_values(customer)
        customer.name = "Changed here"
        customer.save()

    everything = admin_client.get(reverse("admin:books_salesorder_drift")).content.decode()
    only_eu = admin_client.get(reverse("admin:books_salesorder_drift"), {"store": eu.pk}).content.decode()

    assert "eu@example.com" in everything and "us@example.com" in everything
    assert "eu@example.com" in only_eu and "us@example.com" not in only_eu
    assert "<strong>EU shop</strong>" in only_eu


# ----------------------------------------------------------------- commands


def test_the_quick_refresh_command_runs_every_store_and_a_down_one_fails_alone(settings):
    from tests.support.faultserver import FaultServer, dead_url, refreshed

    settings.SYNC_RETRY_BACKOFF = ()
    Item.objects.create(sku="MUG", description_short="Mug", full_price=Decimal("12"), sync_to_store=True)
    with FaultServer(refreshed()) as up:
        _store("Up shop", "UP", url=up.url)
        _store("Down shop", "DN", url=dead_url())
        out, err = StringIO(), StringIO()
        with pytest.raises(CommandError, match="1 of 2 stores did not succeed: Down shop"):
            call_command("quick_refresh", stdout=out, stderr=err)

    assert "Up shop: Processed 1 items, updated 1." in out.getvalue()
    assert "Down shop: Quick Refresh (sync job" in err.getvalue() and "failed [Connection refused or DNS]" in err.getvalue()
    assert len(up.requests) == 1
    assert dict(SyncJob.objects.values_list("store__name", "status")) == {"Up shop": "succeeded", "Down shop": "failed"}


def test_the_ship_confirm_command_sends_each_store_its_own_orders():
    import datetime as dt

    from bizunosync.books.models import Package, Shipment
    from tests.support.faultserver import FaultServer, json_reply

    day = dt.date(2026, 11, 27)
    answer = json_reply({"result": "Success", "message": {"success": [{"text": "Order status update complete"}]}})
    with FaultServer(answer) as eu_server, FaultServer(answer) as us_server:
        eu, us = _store("EU shop", "EU", url=eu_server.url), _store("US shop", "US", url=us_server.url)
        for po, store in (("EU1", eu), ("US1", us), ("US2", us)):
            shipment = Shipment.objects.create(sales_order=SalesOrder.objects.create(po_reference=po, store=store),
                                               ship_date=day, carrier="UPS", service="Ground")
            Package.objects.create(shipment=shipment, tracking_number=f"1Z{po}")
        call_command("ship_confirm", "--date", "2026-11-27", stdout=StringIO())

    assert [r.form["data"]["head"] for r in eu_server.requests] == [
        {"EU1": "Shipped 2026-11-27 via UPS Ground, tracking number(s):"}]
    assert [sorted(r.form["data"]["head"]) for r in us_server.requests] == [["US1", "US2"]]
    assert SyncJob.objects.filter(kind=SyncJob.Kind.SHIP_CONFIRM, status="succeeded").count() == 2


def test_the_jobs_page_of_a_run_for_all_stores_refuses_a_missing_list(admin_client):
    page = admin_client.get(reverse("admin:books_console_jobs"), {"ids": "x"})

    assert page.status_code == 400 and b"ids:" in page.content

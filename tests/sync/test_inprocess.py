"""Same-site calls: this site answers its own orderAdd, shipGetRates and store pushes without a socket.

The connections point at a port where nothing listens: a call that went out
over a socket would be refused, so every answer here came from this process.
"""

from decimal import Decimal

import pytest
from django.contrib.auth.models import Permission
from django.db import connection, transaction
from django.urls import reverse

from bizunosync.books.models import Item, PortalSettings, SalesOrder, ShippingRateRule
from bizunosync.store.models import Product
from bizunosync.store.rates.service import quote
from bizunosync.sync import errors
from bizunosync.sync.connections import BizunoConnection, StoreConnection
from bizunosync.sync.inprocess import InProcessTransport
from bizunosync.sync.jobs import call, create_job, run_job
from bizunosync.sync.models import InboundCall, SyncAttempt, SyncJob
from bizunosync.sync.transport import Transport, bizuno_transport, portal_path, store_transport
from bizunosync.wire import order_add
from tests.books.conftest import an_order, line

pytestmark = pytest.mark.django_db

SITE = "http://127.0.0.1:9"  # nothing listens on the discard port
TOKEN = "same-site-token-Q7"


@pytest.fixture
def same_site(settings, django_user_model, alice):
    settings.SITE_URLS = [SITE]
    portal = PortalSettings.load()
    portal.set_token(TOKEN)
    portal.api_user = django_user_model.objects.create_user("bizuno-api")
    portal.save()
    books = BizunoConnection.load()
    books.url = f"{SITE}/bizuno/"
    books.set_token(TOKEN)
    books.save()
    store = StoreConnection.load()
    store.url = SITE
    store.email = "alice@example.com"
    store.set_password("alice-password")
    store.save()
    Item.objects.create(sku="TEA", description_short="Earl Grey", full_price=Decimal("6.90"), qty_on_hand=10,
                        sync_to_store=True)
    return settings


def _order_job():
    return create_job(SyncJob.Kind.ORDER_EXPORT, target="PO WC5001", trigger=SyncJob.Trigger.COMMAND)


def test_connections_to_another_site_stay_on_http_by_default(db):
    conn = BizunoConnection.load()
    conn.url, conn.token = "https://books.example.com/bizuno", "t"
    conn.save()

    assert type(bizuno_transport()) is Transport


def test_an_order_to_this_sites_own_portal_is_booked_in_process_and_logged_as_such(same_site):
    job = _order_job()

    reply = call(job, bizuno_transport(), "POST", portal_path("orderAdd"),
                 form=order_add.build(an_order(po="WC5001", lines=[line("TEA", "2")])), idempotent=False)

    assert reply.result == "Success"
    booked = SalesOrder.objects.get(pk=reply.data["ID"])
    assert booked.po_reference == "WC5001"
    assert Item.objects.get(sku="TEA").qty_on_hand == 8
    attempt = SyncAttempt.objects.get(job=job)
    assert (attempt.http_status, attempt.reached_peer, attempt.request_summary["transport"]) == (200, True, "in-process")
    assert attempt.request_summary["headers"]["X-Bizuno-Token"] == "[redacted]"
    # The portal logged the call as it logs one over HTTP, as its API user.
    inbound = InboundCall.objects.get(side="books", endpoint="orderAdd")
    assert (inbound.http_status, inbound.result) == (200, "success")


def test_a_wrong_token_is_refused_in_process_as_over_http(same_site):
    conn = BizunoConnection.load()
    conn.set_token("not-the-token")
    conn.save()

    with pytest.raises(errors.HttpStatusError) as refused:
        call(_order_job(), bizuno_transport(), "POST", portal_path("orderAdd"),
             form=order_add.build(an_order(po="WC5001", lines=[line("TEA", "1")])), idempotent=False)

    assert refused.value.status == 403 and refused.value.permanent
    assert not SalesOrder.objects.exists()


def test_a_store_login_without_the_sync_permission_is_refused_in_process(same_site, alice):
    alice.user_permissions.remove(Permission.objects.get(codename="manage_store_sync"))

    with pytest.raises(errors.HttpStatusError) as refused:
        store_transport().request("POST", "product/sync", form={"data": {"syncSkus": "[]"}})

    assert refused.value.status == 403


def test_quick_refresh_to_this_sites_own_store_runs_in_process(same_site):
    Product.objects.create(sku="TEA", name="Tea", regular_price=Decimal("1"), price=Decimal("1"), stock_quantity=0,
                           manage_stock=True)

    job = run_job(create_job(SyncJob.Kind.QUICK_REFRESH, target="1 item", params={"include_inactive": False},
                             trigger=SyncJob.Trigger.COMMAND, total=1).pk)

    assert (job.status, job.summary) == (SyncJob.Status.SUCCEEDED, "Processed 1 items, updated 1.")
    tea = Product.objects.get(sku="TEA")
    assert (tea.regular_price, tea.stock_quantity) == (Decimal("6.9"), 10)
    assert [a.request_summary["transport"] for a in job.attempts.all()] == ["in-process"]


def test_checkout_rates_come_from_this_sites_own_books_in_process(same_site):
    ShippingRateRule.objects.create(rate_id="fedex:GND", title="FedEx Ground", country="DE", price=Decimal("12.40"))

    result = quote({"country": "DE", "postcode": "10119", "city": "Berlin"}, Decimal("2"))

    assert (result.source, [(r.id, r.quote) for r in result.rates]) == ("bizuno", [("fedex:GND", Decimal("12.40"))])
    from bizunosync.store.models import RateQuote

    assert RateQuote.objects.get().via == "in-process"


def test_the_callers_transaction_and_connection_survive_an_in_process_call(same_site):
    with transaction.atomic():
        Item.objects.create(sku="MUG", description_short="Mug", full_price=Decimal("3"))
        reply = store_transport().request("POST", "product/sync", form={"data": {"syncSkus": '["TEA"]'}})
        # Django's request signals would have closed this connection mid-transaction.
        assert connection.in_atomic_block and not connection.needs_rollback
        assert Item.objects.filter(sku="MUG").exists()

    assert reply.status == 200


def test_bizuno_in_this_site_sends_orders_in_process_whatever_the_host(settings, same_site):
    settings.SITE_URLS = []
    settings.BIZUNO_IN_THIS_SITE = True

    assert isinstance(bizuno_transport(), InProcessTransport)
    # The store on Bizuno's own host is this site too.
    assert isinstance(store_transport(), InProcessTransport)


def test_a_site_url_outside_allowed_hosts_is_refused_before_anything_runs(settings, same_site):
    settings.ALLOWED_HOSTS = ["shop.example.com"]

    with pytest.raises(errors.RefusedLocally) as refused:
        store_transport().request("POST", "product/sync", form={"data": {"syncSkus": "[]"}})

    assert "ALLOWED_HOSTS" in refused.value.explanation


def test_the_attempt_page_says_the_call_was_in_process(same_site, admin_client):
    job = _order_job()
    call(job, bizuno_transport(), "POST", portal_path("orderAdd"),
         form=order_add.build(an_order(po="WC5001", lines=[line("TEA", "1")])), idempotent=False)

    page = admin_client.get(reverse("admin:sync_syncjob_change", args=[job.pk]))

    assert f"in-process: {SITE}/bizuno/?bizRt=portal/api/orderAdd" in page.content.decode()


def test_the_shops_rates_page_asks_this_sites_books_in_process_from_inside_its_own_request(same_site, client):
    # A request (the shopper's) that makes a request (shipGetRates) to the same site, in the same thread.
    ShippingRateRule.objects.create(rate_id="ups:GND", title="UPS Ground", country="DE", price=Decimal("9.10"))

    page = client.get(reverse("shop-rates"), {"country": "DE", "postcode": "10119", "city": "Berlin", "weight": "1"})

    assert page.status_code == 200
    assert [(r["id"], r["quote"]) for r in page.json()["rates"]] == [("ups:GND", "9.10")]
    from bizunosync.store.models import RateQuote  # a shopper's quote is logged there, not as a sync job

    assert RateQuote.objects.get().via == "in-process"

"""seed_books(): the demo books, safe to run again."""

import pytest
from django.core.management import call_command
from django.utils import timezone

from bizunosync.books.demo import seed_books
from bizunosync.books.models import Item, PortalSettings, SalesOrder, Shipment, ShippingRateRule
from bizunosync.books.services.rates import quote
from bizunosync.wire.ship_rates import RateQuery

pytestmark = pytest.mark.django_db


def _snapshot():
    return (
        list(Item.objects.values_list("sku", "qty_on_hand", "full_price", "inactive")),
        Item.objects.get(sku="EGG-CUP-12").tiers,
        ShippingRateRule.objects.count(),
        SalesOrder.objects.count(),
        list(Shipment.objects.values_list("packages__tracking_number", flat=True)),
    )


def test_seeding_twice_changes_nothing(db):
    seed_books()
    first = _snapshot()
    seed_books()
    assert _snapshot() == first


def test_the_demo_catalog_has_tiers_a_dozen_pack_an_empty_shelf_and_inactive_items(db):
    seed_books()

    assert Item.objects.for_store().count() >= 12
    assert Item.objects.filter(inactive=True, sync_to_store=True).count() == 2
    assert Item.objects.get(sku="EGG-CUP-12").tiers[0][0] == 12
    assert len(Item.objects.get(sku="TEA-EB-100").tiers) == 2
    assert Item.objects.get(sku="TEA-GR-050").tiers == []
    assert Item.objects.get(sku="COF-DECAF-250").qty_available == 0


def test_the_demo_has_an_order_shipped_today_for_store_order_1001(db):
    seed_books()

    shipment = Shipment.objects.get(ship_date=timezone.localdate())
    assert shipment.sales_order.po_reference == "WC1001"
    assert shipment.packages.count() == 2


def test_demo_rates_answer_for_us_and_fall_back_elsewhere(db):
    from decimal import Decimal

    seed_books()

    us = quote(RateQuery(country="US", state="CA", postcode="94105", total_weight=Decimal("1")))
    jp = quote(RateQuery(country="JP", postcode="100-0001", total_weight=Decimal("1")))
    assert [r.id for r in us] == ["fedex:GND", "fedex:2DA"]
    assert [r.id for r in jp] == ["intl:STD"]


def test_seed_demo_fills_the_books_too(db):
    call_command("seed_demo")

    assert Item.objects.filter(sku="TEA-EB-100").exists()
    assert SalesOrder.objects.filter(po_reference="WC1001").exists()

"""Two shoppers checking out at once: stock never goes below zero, numbers never collide.

Needs real row locks and concurrent connections: PostgreSQL. On SQLite the
test database is one in-memory file shared by threads, which serialises
writers by failing them ("database table is locked") rather than waiting.
"""

import threading
from decimal import Decimal

import pytest
from django.db import connection, connections

from bizunosync.store.models import Order
from bizunosync.store.shop.checkout import CheckoutRefused, ShippingChoice, demo_card_payment, place_order

from .conftest import ADDRESS, make_product

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL row locks and concurrent connections"),
]

BILLING = {k: v for k, v in ADDRESS.items() if k != "note"}
FLAT = ShippingChoice("flat", "Flat", Decimal("5.00"))


def race(*carts):
    """Place each cart from its own thread, all starting together; returns orders and refusals."""
    barrier = threading.Barrier(len(carts))
    results = [None] * len(carts)

    def shopper(i, items):
        try:
            barrier.wait()
            results[i] = place_order(items, billing={**BILLING, "email": f"shopper{i}@example.com"}, shipping=None,
                                     shipping_choice=FLAT, payment=demo_card_payment())
        except CheckoutRefused as refused:
            results[i] = refused
        finally:
            connections.close_all()

    threads = [threading.Thread(target=shopper, args=(i, items)) for i, items in enumerate(carts)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=20)
    return results


def test_two_shoppers_for_the_last_five_mugs_get_one_order_and_one_refusal():
    mug = make_product("MUG", "12.00", 5)
    tea = make_product("TEA", "6.90", 100)

    # Opposite order in the carts: the locks are still taken in SKU order, so no deadlock.
    results = race({mug.pk: 5, tea.pk: 1}, {tea.pk: 2, mug.pk: 5})

    placed = [r for r in results if isinstance(r, Order)]
    refused = [r for r in results if isinstance(r, CheckoutRefused)]
    assert len(placed) == 1 and len(refused) == 1
    assert refused[0].problems == ["Sorry, “Product MUG” is out of stock."]
    mug.refresh_from_db()
    tea.refresh_from_db()
    assert (mug.stock_quantity, mug.stock_status) == (0, "outofstock")
    assert tea.stock_quantity == 100 - placed[0].lines.get(sku="TEA").quantity
    assert Order.objects.count() == 1


def test_shoppers_buying_different_things_at_once_all_get_distinct_sequential_numbers():
    products = [make_product(f"SKU{i}", "3.00", 10) for i in range(4)]

    results = race(*({p.pk: 1} for p in products))

    assert all(isinstance(r, Order) for r in results), results
    numbers = sorted(int(r.number) for r in results)
    assert numbers == list(range(numbers[0], numbers[0] + 4))
    assert all(p.stock_quantity == 9 for p in type(products[0]).objects.all())

"""The plugin's tier and pack rules, at their boundaries."""

from decimal import Decimal

import pytest

from bizunosync.store.models import StoreSettings
from bizunosync.store.shop import pricing

from .conftest import make_product

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("qty, expected", [
    (1, "6.90"), (9, "6.90"), (10, "6.20"), (11, "6.20"), (49, "6.20"), (50, "5.60"), (500, "5.60"),
])
def test_a_line_pays_the_highest_tier_its_quantity_reaches(tea, qty, expected):
    assert pricing.unit_price(tea, qty) == Decimal(expected)


def test_a_tier_dearer_than_the_sale_price_is_not_used():
    product = make_product("SALE", "10.00", 99, [(5, "9.00"), (20, "7.00")], sale="8.00")

    assert pricing.unit_price(product, 5) == Decimal("8.00")  # the 9.00 tier would cost more
    assert pricing.unit_price(product, 20) == Decimal("7.00")


def test_the_lowest_tier_above_one_makes_the_pack_size(egg_cups, tea):
    single = make_product("SINGLE", "5.00", 9, [(1, "5.00"), (10, "4.00")])

    assert (pricing.pack_size(egg_cups), pricing.pack_size(tea), pricing.pack_size(single)) == (12, 10, 1)


@pytest.mark.parametrize("qty, accepted", [(12, True), (13, False), (24, True), (11, False), (36, True)])
def test_quantities_must_be_multiples_of_the_pack(egg_cups, qty, accepted):
    problem = pricing.quantity_problem(egg_cups, qty, StoreSettings.load())

    if accepted:
        assert problem is None
    else:
        assert problem == (
            "This product is sold in packs of 12. Please order in multiples of 12 (e.g., 12, 24, 36)."
        )


def test_line_amounts_round_to_cents_and_add_the_configured_tax(settings, tea):
    settings.SHOP_TAX_RATE = "0.19"

    amounts = pricing.line_amounts(tea, 10)

    assert amounts == {"unit_price": Decimal("6.20"), "total": Decimal("62.00"), "tax": Decimal("11.78")}


def test_no_tax_rate_configured_means_no_tax(tea):
    assert pricing.line_amounts(tea, 3)["tax"] == Decimal("0.00")

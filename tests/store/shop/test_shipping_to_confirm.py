"""An order placed while Bizuno gave no live rate is flagged for staff, and the shopper is told the truth."""

from decimal import Decimal

import pytest

from bizunosync.store.models import Order
from tests.support.faultserver import FaultServer, dead_url, json_reply

from .conftest import RATES, add, checkout

pytestmark = pytest.mark.django_db


def test_an_order_on_the_fallback_rate_is_flagged_shipping_to_confirm(client, connect, mug):
    connect(dead_url(), rates_fallback="flat", rates_fallback_amount=Decimal("5.00"))
    add(client, mug, "1")
    checkout(client, action="place", shipping_method="bizunosync:fallback", payment_method="demo_card")

    assert Order.objects.get().shipping_to_confirm is True


def test_an_order_on_a_live_rate_is_not_flagged(client, connect, mug):
    with FaultServer(json_reply(RATES)) as bizuno:
        connect(bizuno.url + "/bizuno")
        add(client, mug, "1")
        checkout(client)
        checkout(client, action="place", shipping_method="fedex:2DA", payment_method="demo_card")

    assert Order.objects.get().shipping_to_confirm is False

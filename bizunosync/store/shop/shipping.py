"""Checkout's one door to the rates service (bizunosync.store.rates.service.quote).

The service caches, falls back when Bizuno is slow or down, and never raises;
this module only shapes the checkout address into its destination.
"""

from __future__ import annotations

from decimal import Decimal

from bizunosync.store.rates.service import quote


def destination_of(address: dict) -> dict:
    """WooCommerce's package destination: `address` is the first street line."""
    return {
        "country": address.get("country", ""),
        "state": address.get("state", ""),
        "postcode": address.get("postcode", ""),
        "city": address.get("city", ""),
        "address": address.get("address_1", ""),
        "address_1": address.get("address_1", ""),
        "address_2": address.get("address_2", ""),
    }


def quote_for(address: dict, total_weight: Decimal):
    """RatesResult(rates, source, notice) for the cart going to ``address``."""
    return quote(destination_of(address), total_weight)

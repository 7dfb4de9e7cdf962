"""Quote shipping for a checkout destination without ever hanging the checkout.

``quote(destination, total_weight)`` asks Bizuno (GET ``shipGetRates``, empty
parameters stripped) with the short ``rates_timeout``, caches the answer per
destination and weight for ``rates_cache_seconds``, and when Bizuno is slow,
down or answers garbage returns the configured fallback (a flat rate, or no
rates) with a notice. It never raises. Each call that goes out is one row of
the rate-quote log (``quote_log.RateQuote``), not a sync job: a quote served
one checkout and is never retried, so it has no place among the jobs staff act on.
"""

from __future__ import annotations

import hashlib
import json
import logging
import time
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.cache import cache
from django.utils import timezone

from bizunosync.sync import errors
from bizunosync.sync.connections import BizunoConnection
from bizunosync.sync.models import SyncJob
from bizunosync.sync.transport import bizuno_transport, portal_path
from bizunosync.wire import ship_rates
from bizunosync.wire.fields import FieldError
from bizunosync.wire.ship_rates import Rate

from .quote_log import RateQuote

log = logging.getLogger("bizunosync.store.rates")
_TRIGGERS = {SyncJob.Trigger.CHECKOUT: RateQuote.Trigger.CHECKOUT, SyncJob.Trigger.STAFF: RateQuote.Trigger.STAFF}

BIZUNO, CACHE, FALLBACK = "bizuno", "cache", "fallback"
FALLBACK_ID = "bizunosync:fallback"
DESTINATION_KEYS = ("country", "state", "postcode", "city", "address", "address_1", "address_2")
NO_POSTCODE = "Enter a postcode to see shipping rates."
FLAT_NOTICE = "Live shipping rates are unavailable right now; showing our standard rate."
NONE_NOTICE = "Shipping rates are unavailable right now. Please try again in a moment."


@dataclass(frozen=True)
class RatesResult:
    rates: list[Rate]
    source: str  # "bizuno" (just asked), "cache" (asked recently), "fallback" (Bizuno failed)
    notice: str = ""
    # Why the fallback was used (for staff; never shown to customers).
    problem: str = ""
    # The RateQuote row recording the call (none for cache hits and calls never made).
    quote_id: int | None = field(default=None, compare=False)

    def as_json(self) -> dict:
        return {
            "source": self.source,
            "notice": self.notice,
            "rates": [{"id": r.id, "title": r.title, "quote": format(r.quote, "f")} for r in self.rates],
        }


def read_destination(destination: dict, total_weight) -> ship_rates.RateQuery:
    """A RateQuery from plain values; FieldError names a bad one."""
    params = {key: destination.get(key, "") or "" for key in DESTINATION_KEYS}
    params["totalWeight"] = "" if total_weight is None else str(total_weight)
    return ship_rates.read_query(params)


def cache_key(conn, query: ship_rates.RateQuery) -> str:
    # Normalised like the URL we would send (so "10119 " and "10119" share an entry),
    # and tied to the Bizuno URL (pointing at another Bizuno must not reuse rates).
    params = {k: v.upper() if k in ("country", "state", "postcode") else v for k, v in ship_rates.to_params(query).items()}
    raw = json.dumps([conn.url, params], sort_keys=True)
    return "bizunosync:rates:" + hashlib.sha256(raw.encode()).hexdigest()[:32]


def _fallback(conn, problem: str, quote_id=None) -> RatesResult:
    if conn.rates_fallback == BizunoConnection.Fallback.FLAT:
        rate = Rate(FALLBACK_ID, conn.rates_fallback_title or "Shipping", conn.rates_fallback_amount)
        return RatesResult([rate], FALLBACK, FLAT_NOTICE, problem, quote_id)
    return RatesResult([], FALLBACK, NONE_NOTICE, problem, quote_id)


def _freeze(rates) -> list:
    return [[r.id, r.title, format(r.quote, "f")] for r in rates]


def _thaw(rows) -> list[Rate]:
    return [Rate(i, t, Decimal(q)) for i, t, q in rows]


def _target(query) -> str:
    where = " ".join(x for x in (query.country, query.state, query.postcode) if x) or "no destination"
    return f"{where}, {format(query.total_weight.normalize(), 'f')} kg"[:255]


def quote(destination: dict, total_weight, *, trigger=SyncJob.Trigger.CHECKOUT, user=None, use_cache=True) -> RatesResult:
    """Rates for a destination (country, state, postcode, city, address, address_1, address_2) and cart weight."""
    conn = BizunoConnection.load()
    try:
        query = read_destination(destination or {}, total_weight)
    except FieldError as exc:
        return _fallback(conn, f"Unreadable destination: {exc}")
    if not query.can_quote:
        # Bizuno's carriers cannot rate without a postcode, and Bizuno answers no rates: do not ask.
        return RatesResult([], BIZUNO, NO_POSTCODE)
    if not conn.is_configured:
        # Not connected yet: no job per checkout, just the fallback.
        return _fallback(conn, "The Bizuno connection is not set up.")
    key = cache_key(conn, query)
    if use_cache and conn.rates_cache_seconds:
        cached = cache.get(key)
        if cached is not None:
            return RatesResult(_thaw(cached), CACHE)
    try:
        return _ask_bizuno(conn, query, key, trigger, user)
    except Exception as exc:  # the checkout must never break because of rates
        log.exception("shipping rates failed unexpectedly")
        return _fallback(conn, f"Internal error: {type(exc).__name__}")


def _ask_bizuno(conn, query, key, trigger, user) -> RatesResult:
    """One GET shipGetRates, recorded as a RateQuote (not a sync job: nothing to retry)."""
    log_row = RateQuote(destination=_target(query), trigger=_TRIGGERS.get(trigger, RateQuote.Trigger.CHECKOUT))
    started = time.monotonic()
    try:
        timeout = conn.rates_timeout
        transport = bizuno_transport(conn, connect_timeout=min(conn.connect_timeout, timeout), read_timeout=timeout)
        params = ship_rates.to_params(query)
        log_row.via = transport.describe("GET", portal_path("shipGetRates"), params=params).get("transport", "http")
        reply = transport.request("GET", portal_path("shipGetRates"), params=params)
        log_row.http_status = reply.status
        try:
            rates = ship_rates.read_answer(reply.data)
        except FieldError as exc:
            raise errors.WrongShape(explanation=f"Bizuno's rates answer is not usable: {exc}") from exc
    except errors.SyncError as exc:
        log_row.duration_ms = round((time.monotonic() - started) * 1000)
        log_row.http_status = exc.status or log_row.http_status
        log_row.failure_class = exc.failure_class
        log_row.problem = exc.explanation[:500]
        log_row.fallback_used = True
        log_row.save()
        return _fallback(conn, exc.explanation, log_row.pk)
    log_row.duration_ms = reply.duration_ms if reply.duration_ms is not None else round((time.monotonic() - started) * 1000)
    if conn.rates_cache_seconds:
        cache.set(key, _freeze(rates), conn.rates_cache_seconds)
    log_row.rates = _freeze(rates)
    log_row.save()
    return RatesResult(rates, BIZUNO, quote_id=log_row.pk)

"""Quote shipping for a checkout destination from the rate rules (PROTOCOL §3.3).

Matching, in plain words:

* no postcode → no rates (Bizuno's carriers cannot rate without one);
* a rule applies when it is active, its country is blank or the
  destination's, its state is blank or the destination's (both compared
  without case), and the cart weight lies in [from weight, up to weight]
  (no upper limit when "up to" is blank);
* "any country" rules are a fallback: they are offered only when no rule
  for the destination's own country applies;
* for one rate id, the most specific rule wins (a state rule over a country
  rule), then the lower sort order.

One query, ordered by sort order; quotes are rounded to cents.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Q

from bizunosync.wire.ship_rates import Rate, RateQuery

from ..models import ShippingRateRule

CENT = Decimal("0.01")


def matching_rules(query: RateQuery) -> list[ShippingRateRule]:
    country, state = query.country.strip().upper(), query.state.strip().upper()
    weight = query.total_weight
    rules = ShippingRateRule.objects.filter(active=True, min_weight__lte=weight).filter(
        Q(max_weight__isnull=True) | Q(max_weight__gte=weight)
    ).order_by("sort_order", "id")
    return [
        rule
        for rule in rules
        if rule.country.strip().upper() in ("", country) and rule.state.strip().upper() in ("", state)
    ]


def quote(query: RateQuery) -> list[Rate]:
    if not query.can_quote:
        return []
    rules = matching_rules(query)
    if any(rule.country.strip() for rule in rules):
        rules = [rule for rule in rules if rule.country.strip()]
    best: dict[str, ShippingRateRule] = {}
    for rule in rules:  # already in sort order: the first most specific one stays
        current = best.get(rule.rate_id)
        if current is None or (rule.state.strip() and not current.state.strip()):
            best[rule.rate_id] = rule
    chosen = sorted(best.values(), key=lambda r: (r.sort_order, r.pk))
    return [Rate(rule.rate_id, rule.title, rule.price.quantize(CENT, rounding=ROUND_HALF_UP)) for rule in chosen]

"""`shipGetRates`: the checkout asks what shipping costs (PROTOCOL §3.3).

GET with the destination in the query string. It sits on the checkout page,
so it never fails loudly: a query we cannot read (a `totalWeight` that is not
a number, an overlong field) answers HTTP 200 with **no rates** and an error
message naming the parameter — the store then offers its own fallback, and
the reason is in the call log. No postcode → no rates, no error. The block
goes under ``message`` (singular), the key the plugin's getRates() shows.
"""

from __future__ import annotations

from bizunosync.sync.models import InboundCall
from bizunosync.wire import ship_rates
from bizunosync.wire.fields import FieldError
from bizunosync.wire.messages import MessageBlock

from ..services.rates import quote
from .auth import authorize
from .http import Reply, error, messages_out

_DESTINATION_KEYS = ("country", "state", "postcode", "city", "address", "address_1", "address_2")


@authorize("shipGetRates")
def ship_rates_view(request) -> Reply:
    if request.method not in ("GET", "HEAD"):
        return error("shipGetRates takes a GET with the destination in the query string.", 405)
    try:
        query = ship_rates.read_query(request.GET)
    except FieldError as exc:
        destination = {key: request.GET.get(key, "")[:128] for key in _DESTINATION_KEYS}
        block = MessageBlock().error(str(exc))
        data = ship_rates.build_answer(destination, [])
        # Singular: the plugin's getRates() merges `$resp['message']` (orderAdd's answer is plural)
        data["message"] = messages_out(block)
        return Reply(data, result=InboundCall.Result.FAIL, note=str(exc)[:500], messages=block)

    rates = quote(query)
    block = MessageBlock()
    if not query.can_quote:
        block.info("No postcode given: no rates.")
    return Reply(
        ship_rates.build_answer(query.destination(), rates),
        item_count=len(rates),
        note=f"{len(rates)} rate(s) for {query.country or '?'} {query.postcode or '(no postcode)'}, weight {query.total_weight}",
        messages=block,
    )

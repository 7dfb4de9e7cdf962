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


def _no_rates(request, text: str, status: int = 200) -> Reply:
    """No rates and the reason, in the answer's own shape: the store then offers its fallback."""
    destination = {key: request.GET.get(key, "").replace("\x00", "")[:128] for key in _DESTINATION_KEYS}
    block = MessageBlock().error(text)
    data = ship_rates.build_answer(destination, [])
    # Singular: the plugin's getRates() merges `$resp['message']` (orderAdd's answer is plural)
    data["message"] = messages_out(block)
    return Reply(data, status=status, result=InboundCall.Result.FAIL, note=text[:500], messages=block)


def _nul_in_query(request, text: str) -> Reply:
    return _no_rates(request, text, status=400)


@authorize("shipGetRates", bad_query=_nul_in_query)
def ship_rates_view(request) -> Reply:
    if request.method not in ("GET", "HEAD"):
        return error("shipGetRates takes a GET with the destination in the query string.", 405)
    try:
        query = ship_rates.read_query(request.GET)
    except FieldError as exc:
        return _no_rates(request, str(exc))

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

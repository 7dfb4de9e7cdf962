"""``GET /shop/rates/``: the checkout's shipping options, as JSON.

Query: ``country``, ``state``, ``postcode``, ``city``, ``address``,
``address_1``, ``address_2`` and ``weight`` (the cart weight; ``totalWeight``
is accepted too, as Bizuno names it). Answer (always 200 for readable input,
also when Bizuno is down)::

    {"source": "bizuno" | "cache" | "fallback", "notice": "…",
     "rates": [{"id": "fedex:GND", "title": "FedEx Ground", "quote": "12.40"}]}

Unreadable input is a 400 naming the parameter: {"error": "…", "field": "weight"}.
"""

from __future__ import annotations

from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from bizunosync.wire.fields import FieldError

from . import service


@never_cache
@require_GET
def rates_view(request):
    destination = {key: request.GET.get(key, "") for key in service.DESTINATION_KEYS}
    weight = request.GET.get("weight", request.GET.get("totalWeight", ""))
    try:
        service.read_destination(destination, weight)
    except FieldError as exc:
        field = "weight" if exc.field == "totalWeight" and "weight" in request.GET else exc.field
        return JsonResponse({"error": f"{field} {exc.problem}", "field": field}, status=400)
    return JsonResponse(service.quote(destination, weight).as_json())

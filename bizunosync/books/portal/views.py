"""The portal's single entry: `/bizuno/?bizRt=portal/api/<endpoint>`, as Bizuno routes it."""

from __future__ import annotations

from django.http import JsonResponse
from django.views.decorators.csrf import csrf_exempt

from .http import error

from .order_add import order_add_view
from .ship_rates import ship_rates_view

ROUTES = {
    "portal/api/orderAdd": order_add_view,
    "portal/api/shipGetRates": ship_rates_view,
}


def portal(request):
    handler = ROUTES.get(request.GET.get("bizRt", ""))
    if handler is None:
        refusal = error("Unknown route: bizRt must be portal/api/orderAdd or portal/api/shipGetRates.", 404)
        return JsonResponse(refusal.data, status=refusal.status)
    return handler(request)


# Each route checks for NUL at its own edge (portal.auth), in Bizuno's shape and logged.
portal.nul_checked = True
portal = csrf_exempt(portal)

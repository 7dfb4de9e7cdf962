"""The bizuno-api plugin's REST routes, under /wp-json/bizuno-api/v1/."""

from django.urls import path, re_path
from django.views.decorators.csrf import csrf_exempt

from .confirm import order_confirm_view
from .http import wp_error
from .refresh import product_refresh_view
from .sync import product_sync_view
from .update import product_update_view


@csrf_exempt
def no_route(request, rest=""):
    # WordPress's own answer for an unknown route: JSON, never an HTML 404 page.
    return wp_error(404, "rest_no_route", "No route was found matching the URL and request method.")


no_route.nul_checked = True  # reads nothing: always the JSON 404 (bridge.middleware would answer text)


urlpatterns = [
    re_path(r"^product/update/?$", product_update_view, name="store-product-update"),
    re_path(r"^product/refresh/?$", product_refresh_view, name="store-product-refresh"),
    re_path(r"^product/sync/?$", product_sync_view, name="store-product-sync"),
    re_path(r"^order/confirm/?$", order_confirm_view, name="store-order-confirm"),
    re_path(r"^(?P<rest>.*)$", no_route),
]

"""Refuse a NUL in any query parameter or form field before a view (or the database) sees it.

``GET /?q=%00`` was a 500 on PostgreSQL (the storefront search compared the
NUL in SQL). Every view gets this check, on its path parameters, query string,
(for a POSTed form) form fields and cookies; the two machine APIs, which answer in
their peers' shapes and record every call, run the same check at their own
edge instead and are marked ``nul_checked``.
"""

from __future__ import annotations

from django.http import HttpResponseBadRequest

from bizunosync.wire import nul

FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


def refuse(field: str) -> HttpResponseBadRequest:
    return HttpResponseBadRequest(
        f"Bad request: the field “{field}” contains a NUL character.", content_type="text/plain; charset=utf-8"
    )


class RefuseNulMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if getattr(view_func, "nul_checked", False):
            return None
        # A path part (a product slug, an admin object id) is as much input as a query parameter.
        field = nul.in_pairs({k: v for k, v in view_kwargs.items() if isinstance(v, str)}) or nul.in_pairs(request.GET)
        if field is None and request.method == "POST" and request.content_type in FORM_TYPES:
            field = nul.in_pairs(request.POST)
        if field is None:
            # The session cookie is looked up in the database too (a 500 on PostgreSQL).
            field = nul.in_pairs(request.COOKIES)
        return refuse(field) if field is not None else None

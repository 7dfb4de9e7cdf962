"""The connection pages' *Test connection* button (the calls are in connection_check.py).

It tests the **saved** settings: staff save, then test. Sending it needs the
permission of the side that sends: the Bizuno connection is the store's
(``store.send_to_bizuno``), the store connection the books' Store console's
(``books.run_store_pushes``).
"""

from __future__ import annotations

import logging

from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse

from . import permissions
from .connections import SingletonModel

log = logging.getLogger("bizunosync.sync.connection_check")


class ConnectionTestMixin:
    change_form_template = "admin/sync/connection_change_form.html"
    test_permission = ""
    # A plain function of the connection row, returning connection_check.Outcome.
    run_check = None

    def _test_url_name(self) -> str:
        opts = self.model._meta
        return f"{opts.app_label}_{opts.model_name}_test"

    def get_urls(self):
        view = self.admin_site.admin_view(self.test_view)
        return [path("<path:object_id>/test/", view, name=self._test_url_name()), *super().get_urls()]

    def has_test_permission(self, request) -> bool:
        return request.user.has_perm(self.test_permission)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = {
            "can_test": self.has_test_permission(request),
            "test_url": reverse(f"admin:{self._test_url_name()}", args=[object_id]),
            "test_permission_label": permissions.LABELS[self.test_permission],
            "one_of_many": not issubclass(self.model, SingletonModel),  # store connections are a list
            **(extra_context or {}),
        }
        return super().change_view(request, object_id, form_url, extra_context)

    def test_view(self, request, object_id):
        opts = self.model._meta
        change_url = reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[object_id])
        if request.method != "POST":
            return HttpResponseRedirect(change_url)  # it sends something: only from the button (POST + CSRF)
        permissions.require(request.user, self.test_permission)
        connection = get_object_or_404(self.model, pk=object_id)
        outcome = type(self).run_check(connection)
        log.info("test connection to %s by %s: %s", outcome.peer, request.user.get_username(), outcome.headline)
        context = {
            **self.admin_site.each_context(request),
            "title": f"Test connection: {opts.verbose_name}",
            "opts": opts,
            "outcome": outcome,
            "connection": connection,
            "change_url": change_url,
            "one_of_many": not issubclass(self.model, SingletonModel),
            "test_url": request.path,
        }
        return TemplateResponse(request, "admin/sync/connection_test.html", context)

"""Wrap each store endpoint: method check, JSON-only errors, and the call log.

Every call, rejected or not, leaves a `sync.InboundCall` row (endpoint,
caller login, address, status, result, counts, note, messages, touched
records, duration) — never the password.
"""

from __future__ import annotations

import ipaddress
import logging
import time
from functools import wraps

from django.db import DatabaseError, transaction
from django.views.decorators.csrf import csrf_exempt

from bizunosync.sync import touched
from bizunosync.sync.models import InboundCall

from bizunosync.wire import nul

from .http import ApiError, bad_field, wp_error

log = logging.getLogger("bizunosync.store.endpoints")


def effective_method(request) -> str:
    """POST with `X-HTTP-Method-Override` or `?_method=` counts as that method (WordPress does this)."""
    method = request.method.upper()
    if method == "POST":
        override = request.headers.get("X-HTTP-Method-Override") or request.GET.get("_method") or ""
        override = override.strip().upper()
        if override in {"PUT", "PATCH", "DELETE", "POST", "GET"}:
            return override
    return method


def endpoint(name: str, method: str):
    """Decorate a plain view taking (request) after authentication."""

    def decorate(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            started = time.monotonic()
            # The login tried, kept even when the call is refused before authentication (never the password).
            request.caller = nul.shown((request.headers.get("email") or "").strip())[:150]
            actual = effective_method(request)
            request.inbound = _Pending(name, actual, started)
            logged = False  # by the view, in its transaction (commit_with_log); only an answer it returned counts
            try:
                if (field := nul.in_pairs(request.GET)) is not None:
                    raise bad_field(field, "contains a NUL byte")
                if actual != method:
                    raise ApiError(
                        405, "rest_method_not_allowed",
                        f"{name} accepts {method}, not {actual}.", headers={"Allow": method},
                    )
                response = view(request, *args, **kwargs)
                logged = request.inbound.logged
            except ApiError as exc:  # a log row the view wrote rolled back with its transaction
                response = exc.response()
            except Exception:
                log.exception("Unhandled error in store endpoint %s", name)
                response = wp_error(500, "internal_server_error", "The store could not handle this request.")
            if not logged:
                _record(request, response)
            return response

        wrapper.nul_checked = True  # here, in the WordPress error shape, and logged (bridge.middleware skips it)
        return csrf_exempt(wrapper)

    return decorate


class _Pending:
    """The call being answered, until its log row is written."""

    __slots__ = ("name", "method", "started", "logged")

    def __init__(self, name, method, started):
        self.name, self.method, self.started, self.logged = name, method, started, False


def commit_with_log(request, respond):
    """``respond()`` (the call's writes, returning its answer) and the call's log row, in one transaction.

    One commit for both (on SQLite a commit is a tenth of a 1,000-item Quick Refresh's floor), and
    never a write without its log row. The row is a savepoint of its own, so a log that cannot be
    written leaves the call's writes alone; if the transaction rolls back after all, the row goes
    with it and the wrapper writes it again for the answer the caller gets. Read and check the
    body before: SQLite's write lock is held from the start of the transaction.
    """
    with transaction.atomic():
        response = respond()
        record_now(request, response)
    return response


def record_now(request, response) -> None:
    """Write the call's log row now, in the caller's transaction (see commit_with_log)."""
    _record(request, response)
    request.inbound.logged = True


def _record(request, response):
    name, method, started = request.inbound.name, request.inbound.method, request.inbound.started
    details = getattr(response, "inbound_log", {}) or {}
    status = response.status_code
    result = InboundCall.Result.REJECTED if status >= 400 else InboundCall.Result.SUCCESS
    messages = []
    if status < 400:
        try:
            import json

            body = json.loads(response.content)
            if body.get("result") != "Success":
                result = InboundCall.Result.FAIL
            messages = body.get("message") or []
        except ValueError:
            pass
    if status >= 500:
        result = InboundCall.Result.FAIL
    try:
        with transaction.atomic():
            logged = InboundCall.objects.create(
                side="store",
                endpoint=name,
                method=method[:8],
                caller=getattr(request, "caller", "")[:150],
                remote_addr=_ip(request.META.get("REMOTE_ADDR")),
                http_status=status,
                result=result,
                item_count=details.get("item_count", 0),
                changed_count=details.get("changed_count", 0),
                note=details.get("note", "")[:500],
                messages=messages,
                duration_ms=int((time.monotonic() - started) * 1000),
            )
            touched.link(logged, details.get("touched", []), fresh=True)
    except DatabaseError:
        # The answer matters more than its log line.
        log.exception("Could not record the inbound call to %s", name)


def _ip(value):
    try:
        return str(ipaddress.ip_address(value)) if value else None
    except ValueError:
        return None

"""The portal's one gate: `X-Bizuno-Token`, compared in constant time (PROTOCOL §3.1).

The token is bound to the API user in PortalSettings; that user (which must
be active) becomes `request.user`, so bookings carry who made them. Every
refusal is a 403 JSON answer through `http.error`, logged without the token.

Many stores: besides the portal's shared token, each store connection may
hold its own portal token, bound to that store. The wire is unchanged (the
plugin sends only `X-Bizuno-Token`); the token it sends tells us which store
this is (`request.portal_store`), with the same API user behind it.

Wrong tokens are counted per address in the shared cache: past
TOKEN_FAILURE_LIMIT in TOKEN_FAILURE_WINDOW seconds the address is answered
429 (Bizuno's message shape, ``Retry-After``) before any comparison, even
with the right token, so guessing costs a wait every few tries.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import logging
import time

from django.core.cache import cache

from bizunosync.wire import nul, secrets

from ..models import PortalSettings
from .http import Reply, error, respond

log = logging.getLogger("bizunosync.books.portal")

HEADER = "HTTP_X_BIZUNO_TOKEN"
MAX_TOKEN = 512
TOKEN_FAILURE_LIMIT = 20
TOKEN_FAILURE_WINDOW = 300
THROTTLED = "Too many wrong API tokens from this address. Try again in a few minutes."


def _is_clean(token: str) -> bool:
    # A real proxy answers 400 before we see such a header (PROTOCOL §5);
    # behind a lenient one we still refuse it rather than compare garbage.
    return token.isascii() and token.isprintable() and len(token) <= MAX_TOKEN


def _check(request) -> tuple[object | None, str, str]:
    """(user, caller label, refusal text); user is None when refused. Sets ``request.portal_store``."""
    from ..stores import store_for_token

    request.portal_store = None
    given = request.META.get(HEADER)
    if not given:
        return None, "missing token", "Missing X-Bizuno-Token header."
    if not _is_clean(given):
        return None, "invalid token", "The X-Bizuno-Token header contains non-printable characters."
    portal = PortalSettings.objects.select_related("api_user").filter(pk=1).first()
    try:
        expected = portal.token_plain if portal else ""
    except secrets.SecretError:
        log.error("portal token cannot be decrypted with this server's key; set it again with bizuno_portal")
        expected = ""
    shared = bool(expected) and hmac.compare_digest(given.encode("ascii"), expected.encode("utf-8"))
    store = store_for_token(given)
    if not shared and store is None:
        if not expected and not _any_store_token():
            return None, "portal not configured", "The portal API is not configured on this Bizuno."
        return None, "invalid token", "Invalid API token."
    request.portal_store = store
    user = portal.api_user if portal else None
    if user is None or not user.is_active:
        return None, "inactive api user", "The API user for this token is missing or inactive."
    return user, (user.get_username() + (f" for {store}" if store else ""))[:150], ""


def _any_store_token() -> bool:
    from bizunosync.sync.connections import StoreConnection

    return StoreConnection.objects.filter(active=True).exclude(portal_token="").exists()


def _failure_key(remote_addr) -> str:
    return "portal-token-fail:" + hashlib.sha256(str(remote_addr).encode()).hexdigest()


def _count_failure(key: str) -> None:
    if cache.add(key, 1, TOKEN_FAILURE_WINDOW) is False:
        try:
            cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.add(key, 1, TOKEN_FAILURE_WINDOW)


def authorize(endpoint: str, bad_query=None):
    """Authenticate, run the handler (which returns a Reply), log the call, answer JSON.

    ``bad_query(request, field)`` builds the 400 Reply for a query parameter holding a NUL,
    in the endpoint's own answer shape (default: Bizuno's error block).
    """

    def decorate(handler):
        @functools.wraps(handler)
        def wrapper(request, *args, **kwargs):
            started = time.monotonic()
            remote_addr = request.META.get("REMOTE_ADDR") or None
            failure_key = _failure_key(remote_addr)
            throttled = cache.get(failure_key, 0) >= TOKEN_FAILURE_LIMIT
            if throttled:
                log.warning("Throttled portal %s from %s: too many wrong tokens", endpoint, remote_addr)
                caller, reply = "throttled", error(THROTTLED, 429)
            elif (field := nul.in_pairs(request.GET)) is not None:
                # Refused before anything reads it: PostgreSQL could not even log the call.
                text = f"{field}: contains a NUL character."
                caller, reply = "bad query", (bad_query(request, text) if bad_query else error(text, 400))
            else:
                user, caller, refusal = _check(request)
                if user is None:
                    if caller == "invalid token":  # a guess (wrong or garbled), not a missing or unset token
                        _count_failure(failure_key)
                    log.warning("Refused portal %s from %s: %s", endpoint, remote_addr, refusal)
                    reply = error(refusal, 403)
                else:
                    request.user = user
                    try:
                        reply = handler(request, *args, **kwargs)
                    except Exception:
                        # Bookings are atomic, so nothing was saved; the PHP caller
                        # still gets JSON it can show, and we get the traceback.
                        log.exception("portal %s failed", endpoint)
                        reply = error("Bizuno could not process this call; nothing was saved. Try again later.", 500)
            elapsed = int((time.monotonic() - started) * 1000)
            response = respond(request, endpoint, reply, caller=caller, duration_ms=elapsed)
            if throttled:
                response["Retry-After"] = str(TOKEN_FAILURE_WINDOW)
            return response

        return wrapper

    return decorate

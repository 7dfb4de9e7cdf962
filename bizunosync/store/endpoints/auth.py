"""The `email`/`pass` header login the plugin's endpoints accept (PROTOCOL §2.1).

Verifying a password hash is slow on purpose (PBKDF2, hundreds of ms), and
Bizuno's Quick Refresh calls 100 times in a row with the same login. A
successful check is therefore remembered for a few minutes under an HMAC of
(login, password, the user's current password hash, is_active), keyed with
SECRET_KEY: the password itself is never stored, and a password change or a
deactivation changes the digest, so it takes effect on the very next call.
The user row (hash, is_active, permission) is read fresh on every call, in
one query.

Failures are counted twice, in the cache every web process shares: on the
account the login resolves to (or, when it resolves to none, on the login
case-folded), so ``Bizuno-sync@…`` cannot earn ten more guesses than
``bizuno-sync@…``; and on the caller's address, so spraying many logins from
one place is stopped too. Past a limit the call is answered 429 before any
hashing — even with the right password under a new spelling — and logged
without the password.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import unicodedata
from functools import wraps

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import check_password, make_password
from django.contrib.auth.models import Permission
from django.core.cache import cache
from django.db.models import Exists, OuterRef, Q

from bizunosync.wire import nul

from .http import ApiError

log = logging.getLogger("bizunosync.store.auth")

PERMISSION_APP, PERMISSION_CODENAME = "store", "manage_store_sync"
CACHE_SECONDS = 300
FAILURE_LIMIT = 10  # per account (or per unknown login), in FAILURE_WINDOW seconds
ADDRESS_FAILURE_LIMIT = 50  # per address: several people may share one (a proxy, an office)
FAILURE_WINDOW = 300
MAX_LOGIN = 254

_dummy_hash = None


def authorize(view):
    """Let the request through only for a valid login with the sync permission."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        login = _header(request, "email")
        password = _header(request, "pass")
        request.caller = nul.shown(login or "")[:150]  # kept in the call log: no raw NUL
        if not login or not password:
            raise ApiError(401, "rest_forbidden", "Missing credentials.")
        request.user = authenticate(login, password, _remote_addr(request))
        return view(request, *args, **kwargs)

    return wrapper


def authenticate(login: str, password: str, remote_addr: str | None):
    """The active user for these credentials, or ApiError 401/403/429."""
    # A NUL can name no one, and PostgreSQL refuses to compare one: an unknown login.
    user = None if "\x00" in login else _find_user(login[:MAX_LOGIN])
    keys = _failure_keys(user, login, remote_addr)
    digest = _digest(login, password, user.password, user.is_active) if user is not None else None
    # One cache round trip for both counters and the remembered success.
    seen = cache.get_many([*keys.values(), *([digest] if digest else [])])
    if seen.get(keys["account"], 0) >= FAILURE_LIMIT or seen.get(keys["address"], 0) >= ADDRESS_FAILURE_LIMIT:
        log.warning("Throttled store-sync login %r from %s", login[:150], remote_addr)
        raise ApiError(
            429, "rest_too_many_attempts", "Too many failed logins. Try again in a few minutes.",
            headers={"Retry-After": str(FAILURE_WINDOW)},
        )

    if user is None:
        # Hash anyway, so an unknown login takes as long as a wrong password.
        check_password(password, _dummy())
        _fail(keys, login, remote_addr, "unknown login")
    if not seen.get(digest):
        if not user.check_password(password):
            _fail(keys, login, remote_addr, "wrong password")
        # check_password may upgrade the stored hash: key on the hash as stored now
        cache.set(_digest(login, password, user.password, user.is_active), True, CACHE_SECONDS)
    if not (user.is_superuser or user.can_sync):
        raise ApiError(403, "rest_forbidden", "Sorry, you are not allowed to manage the store sync.")
    return user


def _find_user(login: str):
    """One query: the active user by user name or email, with the permission flag."""
    User = get_user_model()
    granted = Permission.objects.filter(
        Q(user=OuterRef("pk")) | Q(group__user=OuterRef("pk")),
        codename=PERMISSION_CODENAME,
        content_type__app_label=PERMISSION_APP,
    )
    users = list(
        User.objects.filter(Q(username=login) | Q(email__iexact=login), is_active=True)
        .annotate(can_sync=Exists(granted))
        .order_by("pk")[:5]
    )
    # A user name match wins over an email match (WordPress tries both too).
    for user in users:
        if user.get_username() == login:
            return user
    return users[0] if users else None


def _digest(login: str, password: str, password_hash: str, is_active: bool) -> str:
    message = "\x00".join([login, password, password_hash, "1" if is_active else "0"]).encode("utf-8", "surrogatepass")
    mac = hmac.new(settings.SECRET_KEY.encode(), message, hashlib.sha256).hexdigest()
    return f"store-sync-login:{mac}"


def normalised_login(login: str) -> str:
    """The login as a counter key: Unicode-normalised and case-folded (e-mail matching ignores case)."""
    return unicodedata.normalize("NFKC", login[:MAX_LOGIN]).casefold().strip()


def _failure_keys(user, login, remote_addr) -> dict[str, str]:
    account = f"user:{user.pk}" if user is not None else f"login:{normalised_login(login)}"
    return {"account": _counter(account), "address": _counter(f"addr:{remote_addr}")}


def _counter(name: str) -> str:
    return "store-sync-fail:" + hashlib.sha256(name.encode("utf-8", "surrogatepass")).hexdigest()


def _fail(keys, login, remote_addr, reason):
    for key in keys.values():
        if cache.add(key, 1, FAILURE_WINDOW) is False:
            try:
                cache.incr(key)
            except ValueError:  # expired between add and incr
                cache.add(key, 1, FAILURE_WINDOW)
    log.warning("Failed store-sync login %r from %s: %s", login[:150], remote_addr, reason)
    raise ApiError(401, "rest_forbidden", "Invalid credentials.")


def _dummy():
    global _dummy_hash
    if _dummy_hash is None:
        _dummy_hash = make_password("not the password of anyone")
    return _dummy_hash


def _header(request, name) -> str:
    value = request.headers.get(name, "")
    # WSGI hands header bytes over as latin-1; a PHP peer sends UTF-8.
    try:
        value = value.encode("latin-1").decode("utf-8")
    except (UnicodeEncodeError, UnicodeDecodeError):
        pass
    return value.strip()


def _remote_addr(request) -> str | None:
    return request.META.get("REMOTE_ADDR") or None

"""Wire the two sides of one running site to each other, for `make run`.

Books → store: a demo WordPress-style user with the sync permission, whose
password the store connection keeps. Store → books: a portal token shared by
the portal settings and the Bizuno connection. Both secrets are generated
here, fresh on every run, and stored encrypted: no secret lives in the repo.

A connection already pointing somewhere else is a real one: it is left alone.
"""

from __future__ import annotations

import secrets

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.db import transaction

from django.utils import timezone

from bizunosync.books.models import PortalSettings, SalesOrder
from bizunosync.store.models import Order
from bizunosync.sync.connections import BizunoConnection, StoreConnection

SYNC_USER = ("bizuno-sync", "bizuno-sync@example.com")
API_USER = "bizuno-api"


def _ours(current_url: str, demo_url: str) -> bool:
    return not current_url or current_url.rstrip("/") == demo_url.rstrip("/")


@transaction.atomic
def connect_loop(site_url: str) -> list[str]:
    """Point each side at the other on `site_url`; return what was done, for the console."""
    site_url = site_url.rstrip("/")
    done = []
    bizuno = BizunoConnection.load()
    if _ours(bizuno.url, f"{site_url}/bizuno/"):
        token = secrets.token_urlsafe(32)
        portal = PortalSettings.load()
        portal.api_user = _api_user()
        portal.set_token(token)
        portal.save()
        bizuno.url = f"{site_url}/bizuno/"
        bizuno.set_token(token)
        bizuno.autodownload = True
        bizuno.save()
        done.append(f"store → books: orders export to {bizuno.url} with a fresh portal token")
    else:
        done.append(f"store → books: left alone (connected to {bizuno.url})")

    store = StoreConnection.load()
    if _ours(store.url, site_url):
        password = secrets.token_urlsafe(24)
        user = _sync_user(password)
        store.url = site_url
        store.email = user.email
        store.set_password(password)
        store.save()
        done.append(f"books → store: catalog and ship confirmations go to {site_url} as {user.email}")
    else:
        done.append(f"books → store: left alone (connected to {store.url})")
    return done


def _api_user():
    user, created = get_user_model().objects.get_or_create(username=API_USER)
    if created:
        user.set_unusable_password()
    user.is_active = True
    user.save()
    return user


def _sync_user(password: str):
    username, email = SYNC_USER
    user, _ = get_user_model().objects.get_or_create(username=username, defaults={"email": email})
    user.email = email
    user.is_active = True
    user.set_password(password)
    user.save()
    user.user_permissions.add(Permission.objects.get(content_type__app_label="store", codename="manage_store_sync"))
    return user


def link_booked_orders() -> list[str]:
    """Mark store orders the demo books already hold as exported, with their Bizuno ID.

    The books demo ships one order that the store demo also has; without the
    link, a first "Export to Bizuno" would book it a second time.
    """
    prefix = BizunoConnection.load().order_prefix or ""
    linked = []
    for booked in SalesOrder.objects.filter(po_reference__startswith=prefix).order_by("pk"):
        number = booked.po_reference[len(prefix):]
        if Order.objects.filter(number=number, exported=False).update(
            exported=True, bizuno_id=str(booked.pk), exported_at=timezone.now()
        ):
            linked.append(f"store order {number} is booked in the books as #{booked.pk} ({booked.po_reference})")
    return linked

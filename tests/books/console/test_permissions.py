"""Every console job pushes to the store: it needs "Can run the Store console", not item change rights.

``clerk`` may view and change items, orders and jobs (the hostile client's
account) but holds neither permission to send to a peer.
"""

import pytest
from django.urls import reverse

from bizunosync.sync import jobs
from bizunosync.sync.models import SyncJob
from bizunosync.sync.permissions import RUN_STORE_PUSHES

NEEDS = "Can run the Store console (Quick Refresh, Product Upload, Cart Sync, ship confirmation)"


@pytest.fixture
def clerk_client(client, clerk):
    client.force_login(clerk)
    return client


def assert_refused(response):
    assert response.status_code == 403
    assert NEEDS in response.content.decode()


def test_a_clerk_cannot_start_a_quick_refresh(fault_store, make_item, clerk_client):
    make_item("A-1")

    assert_refused(clerk_client.post(reverse("admin:books_console_quick_refresh")))
    assert not SyncJob.objects.exists() and fault_store.requests == []


def test_a_clerk_cannot_start_a_cart_sync_check(fault_store, make_item, clerk_client):
    make_item("A-1")

    assert_refused(clerk_client.post(reverse("admin:books_console_cart_sync")))
    assert not SyncJob.objects.exists()


def test_a_clerk_cannot_reach_the_cart_sync_delete_page_nor_confirm_it(fault_store, make_item, clerk_client):
    make_item("A-1")
    url = reverse("admin:books_console_cart_sync_delete")

    assert_refused(clerk_client.get(url))
    assert_refused(clerk_client.post(url, {"confirm": "yes"}))
    assert not SyncJob.objects.exists()


def test_a_clerk_cannot_confirm_shipments(fault_store, shipped_order, clerk_client):
    url = reverse("admin:books_console_ship_confirm")

    preview = clerk_client.get(url, {"date": "2026-11-27"})
    assert preview.status_code == 200 and "7946 1234" in preview.content.decode()
    assert "as shipped in the store" not in preview.content.decode()  # the Confirm button
    assert_refused(clerk_client.post(url, {"date": "2026-11-27", "confirm": "yes"}))
    assert not SyncJob.objects.exists()


def test_a_clerk_cannot_upload_by_prefix(fault_store, make_item, clerk_client):
    make_item("A-1")
    url = reverse("admin:books_console_upload")

    assert_refused(clerk_client.get(url))
    assert_refused(clerk_client.post(url, {"sku_prefix": "", "mode": "1"}))
    assert not SyncJob.objects.exists()


def test_a_clerk_is_not_offered_upload_to_store_and_cannot_post_it(fault_store, make_item, clerk_client):
    item = make_item("A-1")
    changelist = reverse("admin:books_item_changelist")

    assert "upload_to_store" not in clerk_client.get(changelist).content.decode()
    response = clerk_client.post(changelist, {"action": "upload_to_store", "_selected_action": [item.pk],
                                              "confirm": "yes", "mode": "1"})
    assert response.status_code in (200, 302) and not SyncJob.objects.exists()


def test_a_clerk_cannot_retry_or_stop_a_console_job(clerk_client):
    failed = jobs.create_job(SyncJob.Kind.QUICK_REFRESH, target="3 items", trigger=SyncJob.Trigger.STAFF)
    SyncJob.objects.filter(pk=failed.pk).update(status=SyncJob.Status.FAILED)
    running = jobs.create_job(SyncJob.Kind.CART_SYNC, target="3 SKUs", trigger=SyncJob.Trigger.STAFF)
    SyncJob.objects.filter(pk=running.pk).update(status=SyncJob.Status.RUNNING)

    page = clerk_client.get(reverse("admin:books_console_job", args=[failed.pk])).content.decode()
    assert reverse("admin:books_console_job_retry", args=[failed.pk]) not in page
    assert_refused(clerk_client.post(reverse("admin:books_console_job_retry", args=[failed.pk])))
    assert_refused(clerk_client.post(reverse("admin:books_console_job_cancel", args=[running.pk])))
    assert SyncJob.objects.get(pk=failed.pk).status == SyncJob.Status.FAILED
    assert SyncJob.objects.get(pk=running.pk).status == SyncJob.Status.RUNNING


def test_the_console_hides_every_button_that_sends_from_a_clerk(clerk_client):
    page = clerk_client.get(reverse("admin:books_console")).content.decode()

    for url in ("books_console_quick_refresh", "books_console_cart_sync", "books_console_cart_sync_delete",
                "books_console_upload"):
        assert f'"{reverse("admin:" + url)}"' not in page
    assert NEEDS in page  # says why, rather than leaving staff to wonder


def test_staff_with_the_console_permission_can_run_a_quick_refresh(fault_store, make_item, client, make_staff):
    client.force_login(make_staff("operator", extra=[RUN_STORE_PUSHES]))
    make_item("A-1")

    page = client.get(reverse("admin:books_console")).content.decode()
    response = client.post(reverse("admin:books_console_quick_refresh"))

    assert reverse("admin:books_console_quick_refresh") in page and NEEDS not in page
    assert response.status_code == 302 and SyncJob.objects.filter(kind=SyncJob.Kind.QUICK_REFRESH).count() == 1

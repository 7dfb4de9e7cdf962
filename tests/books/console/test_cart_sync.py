"""Cart Sync: the flagged SKUs as a JSON string; deleting only after a confirmation page."""

import json

import pytest
from django.urls import reverse

from bizunosync.store.models import Product
from bizunosync.sync.models import SyncJob
from tests.store.conftest import make_product


def test_the_check_sends_the_flagged_skus_as_one_json_string(fault_store, make_item, staff_client,
                                                            django_capture_on_commit_callbacks):
    make_item("B-2")
    make_item("A-1")
    make_item("LOCAL", sync_to_store=False)

    with django_capture_on_commit_callbacks(execute=True):
        staff_client.post(reverse("admin:books_console_cart_sync"))

    data = fault_store.last.form["data"]
    assert json.loads(data["syncSkus"]) == ["A-1", "B-2"] and data["syncDelete"] == "0"


def test_the_delete_page_says_what_it_does_and_starts_nothing(fault_store, make_item, staff_client):
    make_item("A-1")

    page = staff_client.get(reverse("admin:books_console_cart_sync_delete")).content.decode()

    assert "deletes every published product and variation whose SKU is not in that list" in page
    assert "Yes, delete the store products not flagged here" in page
    assert not SyncJob.objects.exists() and fault_store.requests == []


def test_a_post_without_the_confirmation_does_not_delete(fault_store, make_item, staff_client):
    make_item("A-1")

    response = staff_client.post(reverse("admin:books_console_cart_sync_delete"))

    assert response.status_code == 200 and not SyncJob.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_confirmed_delete_removes_store_products_not_flagged(store_side, make_item, staff_client):
    make_item("KEEP")
    make_product("KEEP")
    make_product("STALE")

    check = staff_client.post(reverse("admin:books_console_cart_sync"), follow=True)
    assert Product.objects.filter(sku="STALE").exists()
    assert any("STALE" in m.message for m in check.context["messages"])
    # The store answered "Fail" with an info (out of sync), as the plugin does: an answer, not a failed job.
    job = SyncJob.objects.get(kind=SyncJob.Kind.CART_SYNC)
    assert job.status == SyncJob.Status.SUCCEEDED, job.summary
    assert "STALE" in job.summary and job.attempts.get().failure_class == ""

    staff_client.post(reverse("admin:books_console_cart_sync_delete"), {"confirm": "yes"}, follow=True)

    assert list(Product.objects.values_list("sku", flat=True)) == ["KEEP"]
    assert SyncJob.objects.filter(kind=SyncJob.Kind.CART_SYNC, params={"delete": True}).count() == 1

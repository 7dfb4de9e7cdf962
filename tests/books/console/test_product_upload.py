"""Product Upload: selected items one by one through product/update, with images, cancellable."""

import base64
import io

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.core.files.base import ContentFile
from django.urls import reverse
from PIL import Image

from bizunosync.books.jobs import product_upload
from bizunosync.store.models import Product
from bizunosync.sync import jobs
from bizunosync.sync.models import SyncJob
from bizunosync.sync.touched import refs_of
from tests.support import faultserver as fs


def png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), "red").save(buffer, "PNG")
    return buffer.getvalue()


@pytest.fixture
def pictured(make_item):
    item = make_item("MUG", tiers=[(1, "10"), (6, "9")], category="Kitchen|Mugs", tags="new|gift")
    item.image.save("mug.png", ContentFile(png()))
    return item


def upload(**params):
    job = jobs.create_job(SyncJob.Kind.PRODUCT_UPLOAD, target="t", params=params, trigger=SyncJob.Trigger.STAFF)
    jobs.run_job(job.pk)
    job.refresh_from_db()
    return job


def test_full_mode_sends_the_image_as_base64(fault_store, pictured):
    fault_store.then(fs.success(ID=7))

    upload(skus=["MUG"], mode=1)

    data = fault_store.last.form["data"]
    assert base64.b64decode(data["ProductImageData"]) == png()
    assert data["ProductImageFilename"] == "mug.png" and data["sendMode"] == "1"
    assert data["WooCommerceCategory"] == "Kitchen|Mugs" and data["PriceTiers"]["1"] == {"qty": "6", "price": "9.0000"}


def test_data_only_mode_sends_no_image_bytes(fault_store, pictured):
    upload(skus=["MUG"], mode=3)

    data = fault_store.last.form["data"]
    assert "ProductImageData" not in data and data["sendMode"] == "3"


def test_a_refused_product_is_named_and_the_rest_are_uploaded(fault_store, make_item):
    make_item("A-1")
    make_item("B-2")
    fault_store.then(fs.fail("Bad SKU passed", key="message"), fs.success(ID=8))

    job = upload(skus=["A-1", "B-2"], mode=3)

    assert job.status == SyncJob.Status.SUCCEEDED
    assert job.summary == ("Uploaded 1 of 2 items. The store refused 1: A-1. The store said: Bad SKU passed.")
    assert (job.succeeded_count, job.failed_count) == (1, 1)


@pytest.mark.django_db(transaction=True)
def test_cancel_stops_between_items_and_the_job_links_the_item_it_sent(make_item):
    first, *_ = [make_item(sku) for sku in ("A-1", "B-2", "C-3")]
    job = jobs.create_job(SyncJob.Kind.PRODUCT_UPLOAD, target="t", params={"skus": ["A-1", "B-2", "C-3"]},
                          trigger=SyncJob.Trigger.STAFF)

    def cancel_then_answer(handler):
        jobs.request_cancel(job)  # staff press Cancel while the first item is on its way
        fs.success(ID=1)(handler)

    with fs.FaultServer(cancel_then_answer) as server:
        from .conftest import connect

        connect(server.url)
        jobs.run_job(job.pk)
        assert len(server.requests) == 1
    job.refresh_from_db()
    assert job.status == SyncJob.Status.CANCELLED
    assert job.summary.startswith("Cancelled by staff after 1 of 3 items.")
    assert refs_of(job) == ([f"books.item:{first.pk}"], 1)


@pytest.mark.django_db(transaction=True)
def test_the_upload_action_creates_the_products_in_the_real_store(store_side, pictured, make_item, staff_client):
    other = make_item("PLATE", sync_to_store=False)
    changelist = reverse("admin:books_item_changelist")
    chosen = {ACTION_CHECKBOX_NAME: [pictured.pk, other.pk], "action": "upload_to_store"}

    confirm = staff_client.post(changelist, chosen)
    assert "Upload the selected items to the store?" in confirm.content.decode()
    assert not SyncJob.objects.exists()

    done = staff_client.post(changelist, {**chosen, "confirm": "yes", "mode": "1"}, follow=True)

    assert done.status_code == 200
    mug = Product.objects.get(sku="MUG")
    assert mug.name == "Item MUG" and mug.image and [t.qty for t in mug.tiers_sorted] == [1, 6]
    assert Product.objects.filter(sku="PLATE").exists()
    assert SyncJob.objects.get().summary.startswith("Uploaded 2 of 2 items. The store said: Product MUG created")


def test_the_command_uploads_flagged_items_by_prefix(fault_store, make_item, capsys):
    from django.core.management import call_command

    make_item("KIT-1")
    make_item("KIT-2", sync_to_store=False)
    make_item("MUG-1")

    call_command("upload_products", "--sku-prefix", "KIT", "--mode", "3")

    assert [r.form["data"]["SKU"] for r in fault_store.requests] == ["KIT-1"]
    assert "Uploaded 1 of 1 items." in capsys.readouterr().out


def test_an_item_whose_image_file_is_gone_is_sent_without_it(pictured):
    pictured.image.storage.delete(pictured.image.name)

    sent = product_upload.product_for(pictured, 1)

    assert sent.image is None


def test_a_retry_resumes_after_the_last_sku_even_when_an_earlier_item_was_deleted(fault_store, make_item,
                                                                                django_capture_on_commit_callbacks):
    for sku in ("A-1", "B-2", "C-3"):
        make_item(sku)
    fault_store.then(fs.success(ID=1), fs.status(500, "<b>Fatal error</b>"), fs.success(ID=2))
    job = upload(skus=["A-1", "B-2", "C-3"], mode=3)
    assert job.status == SyncJob.Status.NEEDS_REVIEW

    from bizunosync.books.models import Item

    Item.objects.filter(sku="A-1").delete()  # already uploaded, gone before the retry
    with django_capture_on_commit_callbacks(execute=True):
        jobs.retry_job(job)
    job.refresh_from_db()

    sent = [r.form["data"]["SKU"] for r in fault_store.requests]
    assert sent == ["A-1", "B-2", "B-2", "C-3"]  # B-2 again (its answer was lost), C-3 not skipped
    assert job.status == SyncJob.Status.SUCCEEDED
    assert job.summary.startswith("Uploaded 3 of 3 items.")

"""Quick Refresh converts Bizuno's weight unit into the store's, as Product Upload does.

Without it (the plugin's own defect) the first refresh after an upload wrote Bizuno's raw
1.5 (lb) into the store's kg field, undoing the upload's 0.6804 kg.
"""

from decimal import Decimal

import pytest

from bizunosync.store.models import Product, StoreSettings
from bizunosync.sync import jobs
from bizunosync.sync.models import SyncJob
from tests.store.conftest import ALICE, BASE, FORM, make_product
from bizunosync.wire import phpform


def run(kind, **params):
    job = jobs.create_job(kind, target="test", params=params, trigger=SyncJob.Trigger.STAFF)
    jobs.run_job(job.pk)
    job.refresh_from_db()
    return job


@pytest.fixture
def store_in_kg(db):
    row = StoreSettings.load()
    row.weight_unit = "kg"
    row.save()
    return row


@pytest.mark.django_db(transaction=True)
def test_an_upload_then_two_refreshes_leave_the_converted_weight_and_the_second_changes_nothing(
        store_side, store_in_kg, make_item):
    make_item("MUG", weight=Decimal("1.5"), weight_uom="lb", tiers=[(1, "10"), (6, "9")])

    uploaded = run(SyncJob.Kind.PRODUCT_UPLOAD, mode=3)
    assert uploaded.status == SyncJob.Status.SUCCEEDED, uploaded.summary
    assert Product.objects.get(sku="MUG").weight == Decimal("0.6804")

    first = run(SyncJob.Kind.QUICK_REFRESH)
    assert Product.objects.get(sku="MUG").weight == Decimal("0.6804")
    second = run(SyncJob.Kind.QUICK_REFRESH)

    assert Product.objects.get(sku="MUG").weight == Decimal("0.6804")
    assert first.summary.startswith("Processed 1 items, updated 0.")
    assert second.summary.startswith("Processed 1 items, updated 0.")
    assert second.result["notes"] == ["Updated 0 of 2 products."]  # the item and the row that ends the batch


@pytest.mark.django_db(transaction=True)
def test_a_refresh_in_a_new_unit_converts_it(store_side, store_in_kg, make_item):
    item = make_item("MUG", weight=Decimal("1.5"), weight_uom="lb")
    make_product("MUG", weight=Decimal("0.6804"))
    item.weight, item.weight_uom = Decimal("500"), "g"
    item.save()

    job = run(SyncJob.Kind.QUICK_REFRESH)

    assert Product.objects.get(sku="MUG").weight == Decimal("0.5000")
    assert job.summary.startswith("Processed 1 items, updated 1.")


def refresh(client, item: dict):
    body = phpform.encode({"data": [{"SKU": "MUG", **item}]})
    return client.put(BASE + "product/refresh", body, content_type=FORM, **ALICE)


def test_bizunos_own_refresh_names_no_unit_so_the_unit_of_the_last_upload_is_used(client, alice, store_in_kg):
    # Real Bizuno's setPriceLevels sends 'Weight' => item_weight and no unit.
    upload = {"SKU": "MUG", "Description": "Mug", "Price": "10", "Weight": "1.5", "WeightUOM": "lb"}
    client.post(BASE + "product/update", phpform.encode({"data": upload}), content_type=FORM, **ALICE)
    assert Product.objects.get(sku="MUG").weight == Decimal("0.6804")

    answer = refresh(client, {"Weight": "1.5", "RegularPrice": "10", "SalePrice": ""}).json()

    assert answer["note"] == "Updated 0 of 1 products."
    assert Product.objects.get(sku="MUG").weight == Decimal("0.6804")


def test_with_no_unit_known_the_weight_is_taken_as_sent_as_the_plugin_does(client, alice, store_in_kg):
    make_product("MUG", weight=Decimal("2"))

    refresh(client, {"Weight": "1.5"})

    assert Product.objects.get(sku="MUG").weight == Decimal("1.5")


def test_an_unknown_weight_unit_skips_the_item_and_names_the_field(client, alice, store_in_kg):
    make_product("MUG", weight=Decimal("2"))

    answer = refresh(client, {"Weight": "1.5", "WeightUOM": "stone"}).json()

    assert answer["message"]["error"] == [
        {"text": "Skipped MUG: data[0].WeightUOM must be one of lb, kg, oz, g, got 'stone'"}]
    assert Product.objects.get(sku="MUG").weight == Decimal("2")

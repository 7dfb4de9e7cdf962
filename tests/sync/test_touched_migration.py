"""Migration 0009: the touched JSON lists become TouchedRecord rows, and back."""

import pytest

from tests.support.migrations import migrate, migrated_to

BEFORE = [("sync", "0008_alert_emails")]
AFTER = [("sync", "0009_touched_records")]


@pytest.fixture
def at_0008(transactional_db):
    with migrated_to(BEFORE) as apps:
        yield apps


def test_the_lists_are_copied_into_rows_and_back(at_0008):
    Job, Call = at_0008.get_model("sync", "SyncJob"), at_0008.get_model("sync", "InboundCall")
    job = Job.objects.create(kind="quick_refresh", target="t",
                             touched=["books.item:7", "Store.Product:12", 42, None, "books.item:7", "x" * 200])
    empty = Job.objects.create(kind="order_export", target="u", touched=[])
    odd = Job.objects.create(kind="order_export", target="v", touched={"not": "a list"})
    call = Call.objects.create(side="store", endpoint="product/refresh", method="PUT", http_status=200,
                               result="success", touched=["store.product:12"])

    apps = migrate(AFTER)

    Record = apps.get_model("sync", "TouchedRecord")
    rows = list(Record.objects.order_by("pk").values_list("job_id", "call_id", "ref"))
    assert rows == [(job.pk, None, "books.item:7"), (job.pk, None, "store.product:12"),
                    (None, call.pk, "store.product:12")]
    assert not Record.objects.filter(job_id__in=[empty.pk, odd.pk]).exists()

    apps = migrate(BEFORE)

    Job, Call = apps.get_model("sync", "SyncJob"), apps.get_model("sync", "InboundCall")
    assert Job.objects.get(pk=job.pk).touched == ["books.item:7", "store.product:12"]
    assert Job.objects.get(pk=empty.pk).touched == [] and Job.objects.get(pk=odd.pk).touched == []
    assert Call.objects.get(pk=call.pk).touched == ["store.product:12"]

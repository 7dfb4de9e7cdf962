"""Migration 0011: Quick Refresh's listed changes move from SyncJob.result to SyncJob.changes, and back."""

import pytest

from tests.support.migrations import migrate, migrated_to

BEFORE = [("sync", "0010_touched_links_written_cheaply")]
AFTER = [("sync", "0011_job_changes_apart")]
ROWS = [{"sku": "TEA", "item": 7, "changes": [["Price", "10.00", "9.50"]]}]


@pytest.fixture
def at_0010(transactional_db):
    with migrated_to(BEFORE) as apps:
        yield apps


def test_the_listed_changes_move_out_of_the_result_and_back(at_0010):
    Job = at_0010.get_model("sync", "SyncJob")
    refresh = Job.objects.create(kind="quick_refresh", target="3 items", result={"changes": ROWS, "last_sku": "TEA"})
    export = Job.objects.create(kind="order_export", target="PO 1", result={"changes": "not a refresh's"})

    Job = migrate(AFTER).get_model("sync", "SyncJob")
    moved, untouched = Job.objects.get(pk=refresh.pk), Job.objects.get(pk=export.pk)
    assert (moved.changes, moved.result) == (ROWS, {"last_sku": "TEA"})
    assert (untouched.changes, untouched.result) == ([], {"changes": "not a refresh's"})

    Job = migrate(BEFORE).get_model("sync", "SyncJob")
    assert Job.objects.get(pk=refresh.pk).result == {"last_sku": "TEA", "changes": ROWS}

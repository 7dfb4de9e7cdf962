"""Migration 0011: Quick Refresh's listed changes move from SyncJob.result to SyncJob.changes, and back."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("sync", "0010_touched_links_written_cheaply")]
AFTER = [("sync", "0011_job_changes_apart")]
ROWS = [{"sku": "TEA", "item": 7, "changes": [["Price", "10.00", "9.50"]]}]


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.fixture
def at_0010(transactional_db):
    apps = migrate(BEFORE)
    yield apps
    migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())  # the schema the other tests expect


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

"""On RQ (TASKS_BACKEND=rq, the CI's second pass): deferred retries are RQ scheduled jobs run by a real worker."""

from __future__ import annotations

import pytest

from bizunosync.store.export.service import queue_export
from bizunosync.sync.models import SyncJob
from tests.store.export.conftest import connect, make_order, maria  # noqa: F401  (fixtures)
from tests.support import faultserver as fs
from tests.support import rq, workers

pytestmark = [
    pytest.mark.skipif(not rq.active(), reason="RQ pass only: run with TASKS_BACKEND=rq (as .ci/run does)"),
    pytest.mark.real_workers,
    pytest.mark.django_db(transaction=True),
]


def test_a_retry_that_never_reached_bizuno_waits_in_rqs_scheduler_and_a_worker_sends_it_when_due(
        make_order, connect, settings, tmp_path):
    from rq.registry import ScheduledJobRegistry

    settings.SYNC_RETRY_BACKOFF = [2]
    port = fs.dead_port()
    connect(f"http://127.0.0.1:{port}")
    worker = workers.worker("worker-1", tmp_path, SYNC_RETRY_BACKOFF="2")
    try:
        job = queue_export(make_order())
        workers.wait_for(lambda: SyncJob.objects.get(pk=job.pk).next_attempt_at, timeout=30,
                         what="the first attempt refused and a retry booked")
        scheduled = ScheduledJobRegistry(queue=rq.queue())
        # The retry's task id is remembered just after RQ takes it, a moment after the retry is booked.
        workers.wait_for(lambda: scheduled.get_job_ids() == [SyncJob.objects.get(pk=job.pk).task_result_id],
                         timeout=10, what="the retry waiting in RQ's scheduler under the id the job remembers")
        job.refresh_from_db()
        assert job.status == SyncJob.Status.QUEUED and job.attempt_count == 1
        assert abs(scheduled.get_scheduled_time(job.task_result_id) - job.next_attempt_at).total_seconds() < 1

        with fs.serve_on(port, fs.json_reply({"result": "Success", "ID": 7})) as bizuno:
            workers.wait_for(lambda: SyncJob.objects.get(pk=job.pk).status == SyncJob.Status.SUCCEEDED, timeout=30,
                             what="the scheduled retry sent")
    finally:
        worker.stop()

    job.refresh_from_db()
    assert [a.reached_peer for a in job.attempts.order_by("number")] == [False, True]
    assert len(bizuno.requests) == 1
    assert "Job OK" in worker.output()

"""Sync-log retention: what `prune_sync_log` / `manage.py sync_prune` delete and what they keep."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from bizunosync.sync import scheduler
from bizunosync.sync.models import InboundCall, SyncAttempt, SyncJob, TouchedRecord
from bizunosync.sync.prune import prune_sync_log
from bizunosync.sync.touched import link

pytestmark = pytest.mark.django_db
S, K = SyncJob.Status, SyncJob.Kind


def job(status, *, age_days, kind=K.ORDER_EXPORT, target="PO WC1001", attempts=1):
    at = timezone.now() - timedelta(days=age_days)
    made = SyncJob.objects.create(kind=kind, target=target, status=status, created=at,
                                  finished=None if status in (S.QUEUED, S.RUNNING) else at)
    SyncAttempt.objects.bulk_create(SyncAttempt(job=made, number=n + 1, started=at) for n in range(attempts))
    return made


def call(age_days):
    return InboundCall.objects.create(side="store", endpoint="product/refresh", method="PUT", http_status=200,
                                      result="success", received=timezone.now() - timedelta(days=age_days))


def left():
    return set(SyncJob.objects.values_list("pk", flat=True))


def test_succeeded_and_cancelled_jobs_past_retention_go_with_their_attempts():
    old_ok, old_cancelled = job(S.SUCCEEDED, age_days=91, attempts=3), job(S.CANCELLED, age_days=91, target="PO 2")
    recent = job(S.SUCCEEDED, age_days=89, target="PO 3")
    result = prune_sync_log()
    assert left() == {recent.pk}
    assert (result.jobs, result.attempts) == (2, 4)
    assert not SyncAttempt.objects.filter(job__in=[old_ok.pk, old_cancelled.pk]).exists()


def test_inbound_calls_past_retention_go_and_recent_ones_stay():
    call(120), call(91)
    recent = call(10)
    assert prune_sync_log().calls == 2
    assert list(InboundCall.objects.values_list("pk", flat=True)) == [recent.pk]


def test_pruned_jobs_and_calls_take_their_touched_records_and_the_counts_are_of_jobs_and_calls():
    old_job, recent_job = job(S.SUCCEEDED, age_days=91), job(S.SUCCEEDED, age_days=10, target="PO 2")
    old_call, recent_call = call(91), call(10)
    link(old_job, [f"books.item:{n}" for n in range(5)])
    link(recent_job, ["books.item:1"])
    link(old_call, ["store.product:1", "store.product:2"])
    link(recent_call, ["store.product:1"])

    result = prune_sync_log()

    assert (result.jobs, result.calls) == (1, 1)
    assert set(TouchedRecord.objects.values_list("job", "call", "ref")) == {
        (recent_job.pk, None, "books.item:1"), (None, recent_call.pk, "store.product:1")}


def test_an_old_failed_export_stays_until_a_later_export_of_the_same_po_succeeds():
    failed = job(S.FAILED, age_days=200, target="PO WC1001")
    review = job(S.NEEDS_REVIEW, age_days=200, target="PO WC1002")
    job(S.SUCCEEDED, age_days=5, target="PO WC1003")  # another order's success resolves nothing
    result = prune_sync_log()
    assert {failed.pk, review.pk} <= left() and result.kept_unresolved == 2

    job(S.SUCCEEDED, age_days=150, target="PO WC1001")  # exported later, itself past retention
    result = prune_sync_log()
    assert failed.pk not in left() and review.pk in left()
    assert result.kept_unresolved == 1


def test_a_failed_quick_refresh_is_resolved_by_any_later_successful_refresh():
    failed = job(S.FAILED, age_days=100, kind=K.QUICK_REFRESH, target="1000 items")
    job(S.SUCCEEDED, age_days=50, kind=K.QUICK_REFRESH, target="1004 items")
    prune_sync_log()
    assert failed.pk not in left()


def test_a_failed_rate_quote_needs_no_resolution_its_checkout_moved_on():
    quote = job(S.FAILED, age_days=91, kind=K.SHIP_RATES, target="US 10001, 2 kg")
    prune_sync_log()
    assert quote.pk not in left()


def test_queued_and_running_jobs_are_never_pruned_however_old():
    queued, running = job(S.QUEUED, age_days=400), job(S.RUNNING, age_days=400, target="PO 9")
    prune_sync_log()
    assert left() == {queued.pk, running.pk}


def test_a_retry_pointing_at_a_pruned_job_keeps_its_own_row():
    old = job(S.SUCCEEDED, age_days=95)
    retry = job(S.FAILED, age_days=1)
    retry.retry_of = old
    retry.save()
    prune_sync_log()
    retry.refresh_from_db()
    assert retry.retry_of is None


def test_retention_comes_from_settings(settings):
    settings.SYNC_LOG_RETENTION_DAYS = 30
    gone = job(S.SUCCEEDED, age_days=31)
    prune_sync_log()
    assert gone.pk not in left()


def test_the_command_says_what_it_pruned_and_a_dry_run_deletes_nothing():
    job(S.SUCCEEDED, age_days=40, attempts=2)
    call(40)
    out = StringIO()
    call_command("sync_prune", "--days", "30", "--dry-run", stdout=out)
    assert out.getvalue().startswith("Dry run: would prune 1 sync job(s) with 2 attempt(s) and 1 inbound call(s) older than 30 days")
    assert SyncJob.objects.count() == 1 and InboundCall.objects.count() == 1
    out = StringIO()
    call_command("sync_prune", "--days", "30", stdout=out)
    assert out.getvalue().startswith("Pruned 1 sync job(s) with 2 attempt(s) and 1 inbound call(s) older than 30 days")
    assert SyncJob.objects.count() == 0 and InboundCall.objects.count() == 0


def test_the_command_refuses_a_retention_below_one_day():
    with pytest.raises(CommandError, match="--days must be at least 1"):
        call_command("sync_prune", "--days", "0")


def test_the_scheduler_runs_the_pruning_daily():
    assert ("sync-log pruning", timedelta(days=1), "bizunosync.sync.prune.prune_sync_log") in scheduler.PERIODIC

"""Running a console job from a management command (for cron): run now, print, exit non-zero on failure."""

from __future__ import annotations

from django.core.management.base import CommandError

from bizunosync.sync import jobs
from bizunosync.sync.models import SyncJob


OUTCOME = {
    SyncJob.Status.QUEUED: "did not finish and waits for an automatic retry",
    SyncJob.Status.FAILED: "failed",
    SyncJob.Status.NEEDS_REVIEW: "needs review",
    SyncJob.Status.CANCELLED: "was cancelled",
}


def run_now(command, kind, *, target: str, params: dict, total: int = 0, store=None, label: str = "") -> SyncJob:
    """Create the job (trigger "command line"), run it in this process, print its summary.

    Raises CommandError (exit status 1) unless it succeeded, so cron mails the failure.
    A failure that nothing reached the store is also queued for an automatic retry
    by the worker, as any sync job is; the summary says so.
    """
    job = jobs.create_job(kind, target=target, params=params, trigger=SyncJob.Trigger.COMMAND, total=total,
                          store=store)
    ran = jobs.run_job(job.pk) or job
    ran.refresh_from_db()
    for row in (ran.result or {}).get("messages", []):
        command.stdout.write(f"{row['level']}: {row['text']}")
    if ran.status != SyncJob.Status.SUCCEEDED:
        state = OUTCOME.get(ran.status, ran.get_status_display().lower())
        raise CommandError(f"{label_prefix(label)}{ran.get_kind_display()} (sync job {ran.pk}) {state} "
                           f"[{label_of(ran)}]: {ran.summary}")
    command.stdout.write(command.style.SUCCESS(label_prefix(label) + ran.summary))
    return ran


def label_prefix(label: str) -> str:
    return f"{label}: " if label else ""


def label_of(job) -> str:
    return job.get_failure_class_display() if job.failure_class else job.get_status_display()


def add_store_argument(parser) -> None:
    parser.add_argument("--store", help="The store's name (default: every active store, one job each).")


def stores_for(name: str | None):
    """--store NAME → that store; nothing → every active store (the first one when none is set up)."""
    from bizunosync.sync.connections import StoreConnection

    from .. import stores as store_rules

    if name:
        store = StoreConnection.objects.filter(name=name).first()
        if store is None:
            known = ", ".join(StoreConnection.objects.values_list("name", flat=True)) or "none"
            raise CommandError(f"--store: no store is named {name!r} (stores: {known})")
        return [store]
    return store_rules.chosen_stores("all")


def run_each(command, kind, stores, build) -> list[SyncJob]:
    """One job per store, run one after the other; a store that fails holds back none of the others.

    ``build(store)`` → (target, params, total). Exits non-zero (after all ran) when any did not succeed.
    """
    from .. import stores as store_rules  # noqa: F401  (the module the console shares)

    several = len(stores) > 1
    ran, failures = [], []
    for store in stores:
        target, params, total = build(store)
        target = f"{target} → {store}" if several else target
        try:
            ran.append(run_now(command, kind, target=target, params=params, total=total, store=store,
                               label=str(store) if several else ""))
        except CommandError as exc:
            if not several:
                raise
            command.stderr.write(str(exc))
            failures.append(str(store))
    if failures:
        raise CommandError(f"{len(failures)} of {len(stores)} stores did not succeed: {', '.join(failures)}")
    return ran

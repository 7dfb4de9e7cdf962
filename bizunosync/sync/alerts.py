"""Alert emails: one digest of what newly needs staff, one "down" and one "recovered" per incident.

``send_alerts(now=None)`` is the whole job, safe to run as often as you like
(the scheduler runs it every minute; ``manage.py sync_alerts`` and the
``send_alerts_task`` task run the same function):

1. reads the attempts finished since the last run and keeps one
   ``ConnectionIncident`` per peer that could not be reached: opened by the
   first call that never got an answer (refused, TLS, timeouts, a proxy's
   502/503), closed by the first call the peer's PHP answered. Each incident
   sends one "down" and one "recovered" message, however many calls failed;
2. at most every ``digest_minutes`` (default 15) sends one digest of the jobs
   that newly failed or need review in the last day and the connections that
   went down, and the exported orders changed in the store since (what to do
   in Bizuno), each item once (``AlertSent``), nothing when there is nothing new.

Shoppers' rate quotes are not staff jobs and raise no alarm here.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django_tasks import task

from .alert_models import AlertSent, AlertSettings, ConnectionIncident
from .models import FailureClass, SyncAttempt, SyncJob

log = logging.getLogger("bizunosync.sync.alerts")

SUBJECT = "[Bizuno sync]"
# Attempts saved this recently may still be committing: read them next time.
SETTLE = timedelta(seconds=2)
DIGEST_WINDOW = timedelta(days=1)  # a first digest (or new recipients) never replays the whole log
DIGEST_MAX_ITEMS = 50
_NO_ANSWER = {FailureClass.CONNECTION, FailureClass.TLS, FailureClass.CONNECT_TIMEOUT, FailureClass.READ_TIMEOUT}
_STORE_TO_BIZUNO = {SyncJob.Kind.ORDER_EXPORT, SyncJob.Kind.SHIP_RATES}


# ------------------------------------------------------------------ helpers


def site_url() -> str:
    return (getattr(settings, "ALERTS_SITE_URL", "") or "http://127.0.0.1:8000").rstrip("/")


def _link(path: str) -> str:
    return site_url() + path


def _at(when) -> str:
    return f"{timezone.localtime(when):%Y-%m-%d %H:%M} {timezone.localtime(when).tzname()}"


def peer_of(job: SyncJob) -> tuple[str, str]:
    """("bizuno", "Bizuno") or ("store:3", "store shop.example.com"): who a job's calls go to."""
    if job.kind in _STORE_TO_BIZUNO:
        return "bizuno", "Bizuno"
    store = job.store
    if store is None:
        return "store", "the store"
    return f"store:{store.pk}", f"the store {store}"


def _no_answer(attempt: SyncAttempt) -> bool:
    """The peer's PHP did not answer: refused, TLS, timeouts, or a proxy's 502/503 in front of it."""
    if attempt.failure_class in _NO_ANSWER:
        return True
    return attempt.failure_class == FailureClass.HTTP_STATUS and attempt.reached_peer is False


def _answered(attempt: SyncAttempt) -> bool:
    return attempt.http_status is not None and not _no_answer(attempt)


# --------------------------------------------------------------- incidents


def track_incidents(now) -> None:
    """Open or close incidents from the attempts finished since the last scan."""
    alert = AlertSettings.load()
    until = now - SETTLE
    since = alert.scanned_until or (until - DIGEST_WINDOW)
    attempts = (SyncAttempt.objects.filter(finished__gt=since, finished__lte=until)
                .exclude(job__kind=SyncJob.Kind.SHIP_RATES)
                .select_related("job__store").order_by("finished", "pk"))
    open_by_peer = {i.peer: i for i in ConnectionIncident.objects.filter(ended__isnull=True)}
    for attempt in attempts.iterator():
        peer, name = peer_of(attempt.job)
        current = open_by_peer.get(peer)
        if _no_answer(attempt):
            if current is None:
                open_by_peer[peer] = ConnectionIncident.objects.create(
                    peer=peer, peer_name=name, started=attempt.finished, first_error=attempt.error[:1000],
                )
            else:
                current.failed_calls += 1
                current.save(update_fields=["failed_calls"])
        elif _answered(attempt) and current is not None:
            current.ended = attempt.finished
            current.save(update_fields=["ended"])
            del open_by_peer[peer]
    AlertSettings.objects.filter(pk=alert.pk).update(scanned_until=until)


def down_text(incident: ConnectionIncident) -> tuple[str, str]:
    subject = f"{SUBJECT} {incident.peer_name[:1].upper()}{incident.peer_name[1:]} unreachable since {_at(incident.started)}"
    body = "\n".join([
        f"Since {_at(incident.started)} calls to {incident.peer_name} get no answer:",
        f"  {incident.first_error or 'no answer'}",
        "",
        "Calls that never reached it are retried automatically; a job that gives up shows in the next digest.",
        "You will get one more message when it answers again.",
        "",
        f"Sync log: {_link(reverse('admin:sync_syncjob_changelist') + '?attention=1')}",
    ])
    return subject, body


def recovered_text(incident: ConnectionIncident) -> tuple[str, str]:
    seconds = (incident.ended - incident.started).total_seconds()
    took = "less than a minute" if seconds < 60 else f"{round(seconds / 60)} min"
    subject = f"{SUBJECT} {incident.peer_name[:1].upper()}{incident.peer_name[1:]} answers again"
    calls = f"{incident.failed_calls} call{'s' if incident.failed_calls != 1 else ''}"
    body = "\n".join([
        f"{incident.peer_name[:1].upper()}{incident.peer_name[1:]} answered again at {_at(incident.ended)}, "
        f"after {took} without an answer (since {_at(incident.started)}; {calls} failed).",
        "",
        "Jobs still waiting for a retry go out by themselves; failed ones can be sent again with Retry now.",
        f"Sync log: {_link(reverse('admin:sync_syncjob_changelist') + '?attention=1')}",
    ])
    return subject, body


# ------------------------------------------------------------------ digest


def _job_key(job: SyncJob) -> str:
    return f"job:{job.pk}:{job.status}:{job.finished.isoformat() if job.finished else ''}"


def digest_items(now) -> tuple[list[SyncJob], list[ConnectionIncident]]:
    """Jobs newly failed or needing review (last day) and incidents not yet in a digest."""
    jobs = list(
        SyncJob.objects.filter(status__in=[SyncJob.Status.FAILED, SyncJob.Status.NEEDS_REVIEW],
                               finished__gte=now - DIGEST_WINDOW)
        .exclude(kind=SyncJob.Kind.SHIP_RATES).order_by("finished", "pk")[:500]
    )
    incidents = list(ConnectionIncident.objects.filter(started__gte=now - DIGEST_WINDOW).order_by("started"))
    keys = [_job_key(j) for j in jobs] + [f"incident:{i.pk}" for i in incidents]
    sent = set(AlertSent.objects.filter(key__in=keys).values_list("key", flat=True))
    return ([j for j in jobs if _job_key(j) not in sent],
            [i for i in incidents if f"incident:{i.pk}" not in sent])


def _order_key(row: dict) -> str:
    """One item per order and state of its changes: a further change is reported again, the same one never."""
    import hashlib

    what = hashlib.sha1("|".join(row["changes"]).encode()).hexdigest()[:16]
    return f"order-changed:{row['number']}:{what}"[:120]


def changed_order_items() -> list[dict]:
    """Exported orders changed in the store since (bizunosync.store.export.changes), not yet in a digest."""
    from bizunosync.store.export.changes import changed_orders

    rows = changed_orders(limit=DIGEST_MAX_ITEMS)
    sent = set(AlertSent.objects.filter(key__in=[_order_key(r) for r in rows]).values_list("key", flat=True))
    return [r for r in rows if _order_key(r) not in sent]


def digest_text(jobs, incidents, orders=()) -> tuple[str, str]:
    failed = [j for j in jobs if j.status == SyncJob.Status.FAILED]
    review = [j for j in jobs if j.status == SyncJob.Status.NEEDS_REVIEW]
    counts = [f"{len(failed)} failed"] if failed else []
    counts += [f"{len(review)} need{'s' if len(review) == 1 else ''} review"] if review else []
    counts += [f"{len(incidents)} connection{'s' if len(incidents) != 1 else ''} down"] if incidents else []
    counts += [f"{len(orders)} order{'s' if len(orders) != 1 else ''} changed after export"] if orders else []
    lines = []

    def section(title, rows):
        if not rows:
            return
        lines.extend([f"{title} ({len(rows)})", ""])
        for job in rows[:DIGEST_MAX_ITEMS]:
            lines.append(f"- #{job.pk} {job}: {job.summary or job.get_status_display()}")
            lines.append(f"  {_link(reverse('admin:sync_syncjob_change', args=[job.pk]))}")
        if len(rows) > DIGEST_MAX_ITEMS:
            lines.append(f"- and {len(rows) - DIGEST_MAX_ITEMS} more")
        lines.append("")

    section("Failed", failed)
    section("Needs review (may have reached the other side: check before sending again)", review)
    if incidents:
        lines.extend([f"Connections down ({len(incidents)})", ""])
        for incident in incidents:
            state = f"answers again since {_at(incident.ended)}" if incident.ended else "still no answer"
            lines.append(f"- {incident.peer_name} since {_at(incident.started)} ({state}): {incident.first_error}")
        lines.append("")
    if orders:
        lines.extend([f"Orders changed after export: Bizuno still has them as exported ({len(orders)})", ""])
        for row in orders:
            lines.append(f"- Order {row['number']} (Bizuno ID {row['bizuno_id'] or '?'}): {'; '.join(row['changes'])}")
            lines.append(f"  To do in Bizuno: {' '.join(row['to_do'])}")
        lines.append(f"  {_link(reverse('admin:store_orderchangedafterexport_changelist'))}")
        lines.append("")
    lines.append(f"Everything that needs you: {_link(reverse('admin:sync_syncjob_changelist') + '?attention=1')}")
    return f"{SUBJECT} {', '.join(counts)}", "\n".join(lines)


# -------------------------------------------------------------------- run


def _mail(subject, body, to) -> None:
    send_mail(subject, body, None, to)


def _claim_and_mail(incident, field, message, to, now) -> bool:
    """Mark the message sent (once, even with two schedulers), send it, and unmark it if the mail fails."""
    rows = ConnectionIncident.objects.filter(pk=incident.pk, **{f"{field}__isnull": True})
    if not rows.update(**{field: now}):
        return False
    try:
        _mail(*message, to)
    except Exception:
        ConnectionIncident.objects.filter(pk=incident.pk).update(**{field: None})
        raise
    return True


def send_alerts(now=None) -> dict:
    """Track incidents, send their down/recovered messages, and the digest when due. Returns what was sent."""
    now = now or timezone.now()
    track_incidents(now)
    alert = AlertSettings.load()
    to = alert.addresses()
    sent = {"down": [], "recovered": [], "digest": None}
    if not alert.enabled or not to:
        return sent
    # Claimed with a conditional update, so two schedulers never send the same message twice.
    for incident in ConnectionIncident.objects.filter(down_sent_at__isnull=True).order_by("started"):
        if _claim_and_mail(incident, "down_sent_at", down_text(incident), to, now):
            sent["down"].append(incident.pk)
    for incident in ConnectionIncident.objects.filter(ended__isnull=False, recovered_sent_at__isnull=True,
                                                      down_sent_at__isnull=False).order_by("started"):
        if _claim_and_mail(incident, "recovered_sent_at", recovered_text(incident), to, now):
            sent["recovered"].append(incident.pk)
    due = alert.last_digest_at is None or now - alert.last_digest_at >= timedelta(minutes=alert.digest_minutes)
    if not due:
        return sent
    jobs, incidents = digest_items(now)
    orders = changed_order_items()
    if not jobs and not incidents and not orders:
        return sent
    with transaction.atomic():
        # The row lock makes the digest one per interval even with two schedulers.
        locked = AlertSettings.objects.select_for_update().get(pk=alert.pk)
        if locked.last_digest_at and now - locked.last_digest_at < timedelta(minutes=locked.digest_minutes):
            return sent
        AlertSent.objects.bulk_create(
            [AlertSent(key=_job_key(j), sent_at=now) for j in jobs]
            + [AlertSent(key=f"incident:{i.pk}", sent_at=now) for i in incidents]
            + [AlertSent(key=_order_key(r), sent_at=now) for r in orders],
            ignore_conflicts=True,
        )
        locked.last_digest_at = now
        locked.save(update_fields=["last_digest_at"])
        subject, body = digest_text(jobs, incidents, orders)
        _mail(subject, body, to)
    sent["digest"] = subject
    log.info("alerts: digest %r to %d recipient(s)", subject, len(to))
    return sent


def prune_alert_records(now=None) -> int:
    """Forget digest items older than the digest window (they can never be reported again anyway)."""
    now = now or timezone.now()
    deleted, _ = AlertSent.objects.filter(sent_at__lt=now - 2 * DIGEST_WINDOW).delete()
    return deleted


@task()
def send_alerts_task() -> dict:
    return send_alerts()

"""Export one order to Bizuno (`orderAdd`) as a logged sync job.

Bizuno has no idempotency key and no lookup: posting an order twice books
it twice. So an order is flagged exported only when Bizuno's answer carries
an ``ID``; anything that may have reached Bizuno without one ends as *needs
review* ("Bizuno may have booked PO WC1001; check before re-exporting"), and
the job framework (``sync.jobs``) retries by itself only what provably never
left this machine.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from bizunosync.sync import errors
from bizunosync.sync.connections import BizunoConnection
from bizunosync.sync.jobs import call, create_job, run_job, runner, submit
from bizunosync.sync.models import SyncJob
from bizunosync.sync.transport import bizuno_transport, portal_path
from bizunosync.wire import phpform

from ..models import Order, OrderNote
from . import changes, mapping

KIND = SyncJob.Kind.ORDER_EXPORT
ACTIVE = (SyncJob.Status.QUEUED, SyncJob.Status.RUNNING)


class Outcome:
    EXPORTED = "exported"
    SKIPPED = "skipped"  # already in Bizuno, not forced: nothing sent
    BUSY = "busy"  # another export of this order is queued or running
    RETRYING = "retrying"  # never reached Bizuno; the framework retries it later
    FAILED = "failed"
    NEEDS_REVIEW = "needs review"
    QUEUED = "queued"  # handed to the background worker


@dataclass
class ExportResult:
    number: str
    po: str
    outcome: str
    summary: str = ""
    bizuno_id: str = ""
    failure_class: str = ""
    job: SyncJob | None = None
    # Bizuno's message block, as (level, text), errors first.
    messages: list[tuple[str, str]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.outcome in (Outcome.EXPORTED, Outcome.SKIPPED, Outcome.QUEUED)


def target_for(po: str) -> str:
    return f"PO {po}"


def _closed(order, po) -> ExportResult | None:
    """A cancelled (refunded, failed) order that Bizuno does not have is never sent, forced or not."""
    if order.exported or order.status not in changes.CLOSED:
        return None
    return ExportResult(
        order.number, po, Outcome.FAILED,
        f"Order {order.number} is {order.get_status_display().lower()}; not sent to Bizuno.",
    )


def _skipped(order, po) -> ExportResult:
    return ExportResult(
        order.number, po, Outcome.SKIPPED,
        f"Order {order.number} is already in Bizuno (ID {order.bizuno_id or 'unknown'}); skipped, nothing sent.",
        bizuno_id=order.bizuno_id,
    )


def _busy(order, po) -> ExportResult | None:
    job = SyncJob.objects.filter(kind=KIND, target=target_for(po), status__in=ACTIVE).first()
    if job is None:
        return None
    return ExportResult(
        order.number, po, Outcome.BUSY,
        f"Order {order.number} is already being exported (sync job #{job.pk}, {job.get_status_display().lower()}); "
        "not sent again.",
        job=job,
    )


def _held(order, po, *, force) -> ExportResult | None:
    """Why a new export of this PO must wait, from one look at its jobs; None when it may go.

    * one is queued or running → busy;
    * the last one ended ambiguous (needs review) and this is not a forced export →
      Bizuno may hold the order already. Without this, a click on Export (or
      `export_orders --all-unexported` from cron) after a read timeout would book it
      a second time. Staff resolve it from the job (Retry) or by forcing.
    """
    jobs = list(SyncJob.objects.filter(kind=KIND, target=target_for(po)).order_by("-created", "-pk")
                .values_list("pk", "status", "failure_class"))
    active = next((pk for pk, status, _ in jobs if status in ACTIVE), None)
    if active is not None:
        return _busy(order, po)
    if force or not jobs or jobs[0][1] != SyncJob.Status.NEEDS_REVIEW:
        return None
    last, _, failure_class = jobs[0]
    return ExportResult(
        order.number, po, Outcome.NEEDS_REVIEW,
        f"Order {order.number} was not sent: its last export (sync job #{last}) needs review, and Bizuno "
        f"may already have booked PO {po}. Check Bizuno, then retry job #{last} from the sync log, or "
        "re-export with force if it is not there.",
        failure_class=failure_class,
        job=SyncJob(pk=last, status=SyncJob.Status.NEEDS_REVIEW, failure_class=failure_class),
    )


def _locked_new_job(order, *, force, trigger, user) -> tuple[SyncJob | None, ExportResult | None]:
    """Create the export job while holding the order's row lock, re-checking under it.

    Two clicks (or the checkout's background job and a click) at the same moment
    would otherwise both find no job and each create and send one. Under the lock
    the second sees the first's job and stops.
    """
    with transaction.atomic():
        locked = Order.objects.select_for_update().filter(pk=order.pk).first()
        if locked is None:
            return None, ExportResult(order.number, "", Outcome.FAILED, f"Order {order.number} no longer exists.")
        po = mapping.purchase_order_id(locked, BizunoConnection.load().order_prefix)
        if locked.exported and not force:
            return None, _skipped(locked, po)
        closed = _closed(locked, po)
        if closed:
            return None, closed
        held = _held(locked, po, force=force)
        if held:
            return None, held
        return new_job(locked, force=force, trigger=trigger, user=user), None


def new_job(order, *, force=False, trigger=SyncJob.Trigger.STAFF, user=None) -> SyncJob:
    po = mapping.purchase_order_id(order, BizunoConnection.load().order_prefix)
    return create_job(
        KIND,
        target=target_for(po),
        params={"order_id": order.pk, "number": order.number, "force": bool(force)},
        trigger=trigger,
        user=user,
        total=1,
        touched=[f"store.order:{order.pk}"],
    )


def export_order(order, *, force=False, trigger=SyncJob.Trigger.STAFF, user=None) -> ExportResult:
    """Send one order to Bizuno now (in the foreground) and say what happened.

    An already-exported order is skipped unless ``force`` (which books it in
    Bizuno a second time: the caller must have asked staff to confirm).
    """
    po = mapping.purchase_order_id(order, BizunoConnection.load().order_prefix)
    if order.exported and not force:
        return _skipped(order, po)
    if _closed(order, po):
        return _closed(order, po)
    pending = SyncJob.objects.filter(kind=KIND, target=target_for(po), status=SyncJob.Status.QUEUED).first()
    if pending is not None and not order.exported:
        # An export waiting for its automatic retry: run that one now rather than
        # a second job (the atomic claim in run_job keeps a worker from sending it too).
        if run_job(pending.pk) is not None:
            return result_of(pending, order)
    job, held = _locked_new_job(order, force=force, trigger=trigger, user=user)
    if held:
        return held
    run_job(job.pk)
    return result_of(job, order)


def queue_export(order, *, force=False, trigger=SyncJob.Trigger.CHECKOUT, user=None) -> SyncJob | None:
    """Create the job and hand it to the worker once the transaction commits."""
    job, held = _locked_new_job(order, force=force, trigger=trigger, user=user)
    if held:
        return None
    submit(job)
    return job


def result_of(job: SyncJob, order=None) -> ExportResult:
    """What a finished (or rescheduled) export job means for staff."""
    job.refresh_from_db()
    number = job.params.get("number", "")
    po = job.target.removeprefix("PO ")
    messages = [(m["level"], m["text"]) for m in (job.result or {}).get("messages", [])]
    outcome = {
        SyncJob.Status.SUCCEEDED: Outcome.EXPORTED,
        SyncJob.Status.FAILED: Outcome.FAILED,
        SyncJob.Status.NEEDS_REVIEW: Outcome.NEEDS_REVIEW,
        SyncJob.Status.QUEUED: Outcome.RETRYING,
        SyncJob.Status.RUNNING: Outcome.BUSY,
        SyncJob.Status.CANCELLED: Outcome.FAILED,
    }[job.status]
    if outcome == Outcome.EXPORTED and (job.result or {}).get("skipped"):
        outcome = Outcome.SKIPPED
    return ExportResult(
        number, po, outcome, job.summary,
        bizuno_id=str((job.result or {}).get("bizuno_id", "")),
        failure_class=job.failure_class,
        job=job,
        messages=messages,
    )


def _rows(block) -> list[dict]:
    return [{"level": level, "text": text} for level, text in block.items()] if block else []


def _bizuno_id(reply) -> str:
    raw = reply.data.get("ID") if isinstance(reply.data, dict) else None
    if isinstance(raw, bool) or raw is None:
        return ""
    text = str(raw).strip()
    # Bizuno's journal ids are positive integers; "0" is what the plugin reads as "not booked".
    return text if text.isdigit() and int(text) > 0 else ""


def _already_booked(block) -> bool:
    """Our books side's answer to a PO it holds: "PO WC1001 was already booked as #12; not booked again"."""
    return any("already booked" in text and "not booked again" in text for _, text in block.items()) if block else False


@runner(KIND)
def run_order_export(job: SyncJob) -> None:
    order = Order.objects.filter(pk=job.params.get("order_id")).prefetch_related("lines").first()
    number = job.params.get("number", "?")
    if order is None:
        raise errors.RefusedLocally(explanation=f"Order {number} no longer exists; nothing was sent")
    conn = BizunoConnection.load()
    po = mapping.purchase_order_id(order, conn.order_prefix)
    force = bool(job.params.get("force"))
    job.result = {"po": po, "force": force}
    if order.exported and not force:
        # Exported meanwhile (the checkout's background job, another click): do not book it twice.
        job.result.update(skipped=True, bizuno_id=order.bizuno_id)
        job.summary = f"Order {order.number} is already in Bizuno (ID {order.bizuno_id or 'unknown'}); skipped, nothing sent."
        return
    if order.status in changes.CLOSED and not order.exported:
        raise errors.RefusedLocally(
            explanation=f"Order {order.number} was not sent: it was {order.get_status_display().lower()} in the "
            "store before its export"
        )
    other = (SyncJob.objects.filter(kind=KIND, target=job.target, status=SyncJob.Status.RUNNING)
             .exclude(pk=job.pk).first())
    if other is not None:
        # Last line of defence (a retried job and a new one started together): neither may send
        # while the other might be. Both claimed → both stop here, and nothing is booked twice.
        raise errors.RefusedLocally(
            explanation=f"Order {order.number} was not sent: another export of it (sync job #{other.pk}) is "
            "running. Check its result before exporting again"
        )
    try:
        form = mapping.form_for(order, order_prefix=conn.order_prefix, customer_prefix=conn.customer_prefix)
    except mapping.OrderNotSendable as exc:
        raise errors.RefusedLocally(
            explanation=f"Order {order.number} was not sent: {exc}. Correct the order and export it again"
        ) from exc
    body = phpform.encode(form)
    if phpform.exceeds_input_vars(body):
        # PHP silently drops every field past max_input_vars: Bizuno would book part of the order.
        raise errors.RefusedLocally(
            explanation=f"Order {order.number} was not sent: with {len(form['Item'])} lines its form has "
            f"{phpform.count_vars(body)} fields, and PHP on the Bizuno server reads only the first "
            f"{phpform.MAX_INPUT_VARS} (max_input_vars), so Bizuno would book part of the order. Split the "
            "order, or raise max_input_vars in Bizuno's php.ini, then export again"
        )
    transport = bizuno_transport(conn)
    job.review_hint = f"Bizuno may have booked PO {po}; check before re-exporting"
    if conn.refuses_duplicates:
        # Bizuno answers a resent PO with the first booking's ID: an ambiguous failure may be retried.
        job.resend_safe = "it refuses duplicate POs, so a resend cannot book it twice"
    try:
        reply = call(job, transport, "POST", portal_path("orderAdd"), form=form, idempotent=False)
    except errors.SyncError as exc:
        job.result["messages"] = _rows(exc.messages)
        raise
    job.result["messages"] = _rows(reply.messages)
    bizuno_id = _bizuno_id(reply)
    if not bizuno_id:
        raise errors.WrongShape(
            status=reply.status,
            excerpt=reply.excerpt,
            messages=reply.messages,
            explanation=f"Bizuno answered {reply.result or 'without a result'!s} but gave no order ID, so the "
            "order was not marked exported",
        )
    previous = order.bizuno_id
    # What was sent, to catch the order changing here after Bizuno booked it.
    sent = changes.snapshot_for_export(order, bizuno_id=bizuno_id, messages=job.result["messages"])
    Order.objects.filter(pk=order.pk).update(exported=True, exported_at=timezone.now(), bizuno_id=bizuno_id,
                                             export_snapshot=sent, changed_after_export=False)
    changes.refresh_flag(order.pk)  # staff may have edited it while it was on its way
    job.result["bizuno_id"] = bizuno_id
    if force and previous:
        job.result["previous_bizuno_id"] = previous
    job.processed = job.succeeded_count = 1
    again = f" again (it was ID {previous})" if force and previous else ""
    if _already_booked(reply.messages):
        job.result["duplicate"] = True
        OrderNote.objects.create(order=order, customer_visible=False,
                                 text=f"Already in Bizuno as ID {bizuno_id} (not booked again), sync job #{job.pk}")
        job.summary = (f"Order {order.number} was already in Bizuno as ID {bizuno_id} (PO {po}); marked exported, "
                       "not booked again.")
        return
    # The order's own history says where it went, as WooCommerce connectors note it.
    OrderNote.objects.create(order=order, customer_visible=False,
                             text=f"Exported to Bizuno{again} as ID {bizuno_id}, sync job #{job.pk}")
    job.summary = f"Order {order.number} booked in Bizuno{again} as ID {bizuno_id} (PO {po})."

"""One request for a job, its attempt row saved before it leaves and completed after.

``call`` sends and waits. ``Sending`` is the same call split in two, so a job
can do its own database work while the peer works on the request: the request
goes out on a thread of its own (``ahead=True``) and ``wait()`` completes the
attempt. Only the request runs on that thread; every query stays on the job's
own thread and connection. A same-site peer (an in-process transport) runs its
views on the caller's thread, as a socket peer runs them in its own process, so
it is always sent inline.
"""

from __future__ import annotations

import threading

from django.db.models import F
from django.utils import timezone

from . import errors
from .models import SyncAttempt, SyncJob
from .transport import EXCERPT_CHARS


def call(job: SyncJob, transport, method: str, path: str, **kw):
    """Send one request for ``job`` and wait: the transport's Reply, or its SyncError raised (after recording it)."""
    return Sending(job, transport, method, path, **kw).wait()


class Sending:
    """A request on its way for ``job``; ``wait()`` returns its Reply or raises, once the attempt is recorded."""

    def __init__(self, job: SyncJob, transport, method: str, path: str, *, ahead: bool = False, counted: bool = False,
                 **kw):
        self.job, self.transport = job, transport
        job.peer_name = transport.peer
        if not counted:  # unless_cancelled counted it already, in the UPDATE that asked
            SyncJob.objects.filter(pk=job.pk).update(attempt_count=F("attempt_count") + 1, heartbeat_at=timezone.now())
        job.attempt_count += 1
        try:
            summary = transport.describe(method, path, **kw)
        except Exception as exc:  # cannot even build the request (e.g. unencodable form)
            summary = {"method": method, "url": transport.url_for(path), "error": f"{type(exc).__name__}"}
        if not job.endpoint:
            job.endpoint = transport.base_url[:500]
            SyncJob.objects.filter(pk=job.pk).update(endpoint=job.endpoint)
        self.attempt = SyncAttempt.objects.create(
            job=job,
            number=job.attempt_count,
            method=summary.get("method", method)[:8],
            url=summary.get("url", "")[:1000],
            request_summary=summary,
        )
        self._outcome = None
        self._thread = None
        self._answer = None  # what record() writes on the attempt, until it has
        if ahead and not getattr(transport, "in_process", False):
            # A daemon: a worker stopped mid-request exits without waiting for the peer's answer.
            self._thread = threading.Thread(target=self._send, args=(method, path, kw), daemon=True,
                                            name=f"sync-send-{job.pk}")
            self._thread.start()
        else:
            self._send(method, path, kw)

    @classmethod
    def unless_cancelled(cls, job: SyncJob, transport, method: str, path: str, **kw) -> Sending | None:
        """``Sending(…)``, unless staff asked to cancel the job: then None, nothing sent or counted.
        The question and the attempt's count are one UPDATE."""
        if not SyncJob.objects.filter(pk=job.pk, cancel_requested=False).update(
                attempt_count=F("attempt_count") + 1, heartbeat_at=timezone.now()):
            job.cancel_requested = True
            return None
        return cls(job, transport, method, path, counted=True, **kw)

    def _send(self, method, path, kw) -> None:
        try:
            self._outcome = (self.transport.request(method, path, **kw), None, timezone.now())
        except BaseException as exc:  # re-raised by wait(), on the job's thread
            self._outcome = (None, exc, timezone.now())

    def wait(self, *, record: bool = True):
        """The Reply, or its error raised once the attempt says so.

        ``record=False``: the answer goes on the attempt only at ``record()``, which the caller
        makes with its own bookkeeping of that answer (a batch and its attempt are saved together).
        """
        if self._thread is not None:
            self._thread.join()
            self._thread = None
        reply, exc, finished = self._outcome
        attempt, transport, job = self.attempt, self.transport, self.job
        if isinstance(exc, errors.SyncError):
            if exc.reached_peer is not False:
                job.reached_in_run = True
            _complete(attempt, transport, finished, status=exc.status, excerpt=exc.excerpt,
                      messages=_message_rows(exc.messages), failure_class=exc.failure_class,
                      reached_peer=exc.reached_peer, error=exc.explanation)
            raise exc
        if isinstance(exc, Exception):
            job.reached_in_run = True
            _complete(attempt, transport, finished, error=f"Internal error: {type(exc).__name__}: {exc}",
                      reached_peer=None)
            raise exc
        if exc is not None:
            raise exc
        job.reached_in_run = True
        rows = _message_rows(reply.messages) + [{"level": "warning", "text": f"bizunosync: {w}"} for w in reply.warnings]
        self._answer = {"status": reply.status, "excerpt": reply.excerpt, "messages": rows, "reached_peer": True,
                        "duration_ms": reply.duration_ms, "finished": finished}
        if record:
            self.record()
        return reply

    def record(self) -> None:
        """Write the answer ``wait(record=False)`` returned on the attempt (once)."""
        if self._answer is not None:
            answer, self._answer = self._answer, None
            _complete(self.attempt, self.transport, answer.pop("finished"), **answer)


def _message_rows(block) -> list[dict]:
    return [{"level": level, "text": text} for level, text in block.items()] if block else []


def _complete(attempt, transport, finished, *, status=None, excerpt="", messages=(), failure_class="",
              reached_peer=None, error="", duration_ms=None):
    attempt.finished = finished
    if duration_ms is None:
        duration_ms = max(0, round((attempt.finished - attempt.started).total_seconds() * 1000))
    attempt.duration_ms = duration_ms
    attempt.http_status = status
    attempt.response_excerpt = transport.redact(excerpt or "")[:EXCERPT_CHARS]
    attempt.messages = [{"level": m["level"], "text": transport.redact(m["text"])} for m in messages]
    attempt.failure_class = failure_class or ""
    attempt.reached_peer = reached_peer
    attempt.error = transport.redact(error or "")
    attempt.save()

"""Real RQ on the machine's Redis, for the suite's second pass (TASKS_BACKEND=rq).

``.ci/run`` runs the job and export tests again with TASKS_BACKEND=rq: tasks
then go through django-tasks' RQ backend into a real Redis queue, and a real
RQ worker runs them. In-process (``drain``), so the worker uses the test's
database connection and sees its uncommitted rows, as the ImmediateBackend
does; the fault and many-worker tests start ``manage.py rqworker``
subprocesses instead.
"""

from __future__ import annotations

import threading

from django.conf import settings

_draining = threading.local()


def active() -> bool:
    return settings.TASKS["default"]["BACKEND"] == "django_tasks_rq.RQBackend"


def queue():
    import django_rq
    from django_tasks_rq import Job

    return django_rq.get_queue("default", job_class=Job)


def flush() -> None:
    queue().connection.flushdb()


def worker():
    from django_tasks_rq import Job
    from rq.timeouts import TimerDeathPenalty
    from rq.worker import SimpleWorker

    class InProcessWorker(SimpleWorker):
        # The test's thread (maybe the live server's): no signal handlers, no SIGALRM.
        death_penalty_class = TimerDeathPenalty

        def _install_signal_handlers(self):
            pass

    q = queue()
    return InProcessWorker([q], connection=q.connection, job_class=Job)


def drain() -> None:
    """Run every job ready in the queue (and those they enqueue), then return."""
    if getattr(_draining, "on", False):
        return  # enqueued by a job this thread is running: the loop below picks it up
    _draining.on = True
    try:
        worker().work(burst=True, logging_level="WARNING")
    finally:
        _draining.on = False

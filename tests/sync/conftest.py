import pytest

from bizunosync.sync.models import SyncJob
from tests.support.faultserver import FaultServer


@pytest.fixture
def server():
    with FaultServer() as srv:
        yield srv


@pytest.fixture
def fast_retries(settings):
    settings.SYNC_RETRY_BACKOFF = [30, 120, 600]
    return settings.SYNC_RETRY_BACKOFF


@pytest.fixture
def run_now(django_capture_on_commit_callbacks):
    """Submit-and-run helper: on_commit callbacks run, the ImmediateBackend runs the job."""

    def _run(job):
        from bizunosync.sync.jobs import submit

        with django_capture_on_commit_callbacks(execute=True):
            submit(job)
        job.refresh_from_db()
        return job

    return _run


@pytest.fixture
def make_job(db):
    from bizunosync.sync.jobs import create_job

    def _make(kind=SyncJob.Kind.ORDER_EXPORT, target="PO WC1001", **kw):
        kw.setdefault("trigger", SyncJob.Trigger.STAFF)
        return create_job(kind, target=target, **kw)

    return _make

"""A job's request on its way: its attempt saved before it leaves, sent ahead on a thread, recorded after."""

import threading

import pytest

from bizunosync.sync.calls import Sending
from bizunosync.sync.models import SyncAttempt, SyncJob
from bizunosync.sync.transport import Transport
from tests.support import faultserver as fs

pytestmark = pytest.mark.django_db(transaction=True)


def transport(server):
    return Transport(server.url + "/", {}, 1, 5, peer="the store")


def test_a_request_sent_ahead_leaves_the_job_free_to_query_while_the_peer_works(make_job):
    job = make_job(kind=SyncJob.Kind.QUICK_REFRESH, target="test")
    peer_has_it, job_queried = threading.Event(), threading.Event()
    queried_while_the_peer_held_it = []

    def answer_once_the_job_has_queried(handler):
        peer_has_it.set()
        queried_while_the_peer_held_it.append(job_queried.wait(5))  # an inline send would hold the job here
        fs.json_reply({"result": "Success"})(handler)

    with fs.FaultServer(answer_once_the_job_has_queried) as server:
        sending = Sending(job, transport(server), "PUT", "product/refresh", form={"data": "x"}, ahead=True)
        assert peer_has_it.wait(5)
        assert SyncAttempt.objects.get(job=job).finished is None  # saved before it left, not yet answered
        job_queried.set()
        reply = sending.wait()

    attempt = SyncAttempt.objects.get(job=job)
    assert queried_while_the_peer_held_it == [True]
    assert reply.data["result"] == "Success" and attempt.http_status == 200 and attempt.finished is not None


def test_an_answer_waited_for_without_recording_goes_on_the_attempt_at_record_and_only_once(make_job):
    job = make_job(kind=SyncJob.Kind.QUICK_REFRESH, target="test")
    with fs.FaultServer(fs.json_reply({"result": "Success"})) as server:
        sending = Sending(job, transport(server), "PUT", "product/refresh", form={"data": "x"}, ahead=True)
        sending.wait(record=False)

    assert SyncAttempt.objects.get(job=job).finished is None
    sending.record()
    finished = SyncAttempt.objects.get(job=job).finished
    sending.record()
    assert finished is not None and SyncAttempt.objects.get(job=job).finished == finished


def test_an_error_sent_ahead_is_raised_on_the_jobs_thread_and_recorded_at_once(make_job):
    job = make_job(kind=SyncJob.Kind.QUICK_REFRESH, target="test")
    with fs.FaultServer(fs.json_reply({"code": "rest_forbidden"}, status=403)) as server:
        sending = Sending(job, transport(server), "PUT", "product/refresh", form={"data": "x"}, ahead=True)
        with pytest.raises(Exception) as raised:
            sending.wait(record=False)

    attempt = SyncAttempt.objects.get(job=job)
    assert attempt.http_status == 403 and attempt.finished is not None and attempt.error == raised.value.explanation


def test_nothing_is_sent_or_counted_once_staff_asked_to_cancel(make_job):
    job = make_job(kind=SyncJob.Kind.QUICK_REFRESH, target="test")
    SyncJob.objects.filter(pk=job.pk).update(status=SyncJob.Status.RUNNING, cancel_requested=True)

    with fs.FaultServer(fs.json_reply({"result": "Success"})) as server:
        sending = Sending.unless_cancelled(job, transport(server), "PUT", "product/refresh", form={"data": "x"})
        assert not server.requests

    assert sending is None and job.cancel_requested
    assert SyncJob.objects.get(pk=job.pk).attempt_count == 0 and not SyncAttempt.objects.filter(job=job).exists()

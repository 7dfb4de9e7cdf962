"""Alert emails: one digest of what newly needs staff, one down and one recovered message per incident."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from bizunosync.sync import alerts, jobs
from bizunosync.sync.alert_models import AlertSettings, ConnectionIncident
from bizunosync.sync.models import SyncJob
from bizunosync.sync.transport import Transport, portal_path
from tests.support import faultserver as fs

pytestmark = pytest.mark.django_db

TOKEN = "tok-SECRET-4711"


@pytest.fixture
def bizuno(monkeypatch, settings):
    """Order exports go to ``bizuno["url"]``; no automatic retries, so a refused call fails at once."""
    settings.SYNC_RETRY_BACKOFF = ()
    box = {"url": None}

    def export(job):
        transport = Transport(box["url"] + "/bizuno/", {"X-Bizuno-Token": TOKEN}, 1, 1, peer="Bizuno")
        reply = jobs.call(job, transport, "POST", portal_path("orderAdd"), form={"General": {"PurchaseOrderID": job.target}})
        job.summary = f"Booked as Bizuno ID {reply.data.get('ID')}"

    monkeypatch.setitem(jobs._RUNNERS, SyncJob.Kind.ORDER_EXPORT, export)
    return box


@pytest.fixture
def recipients(admin_user):
    alert = AlertSettings.load()
    alert.recipients.add(admin_user)
    alert.extra_addresses = "shop@example.com\n"
    alert.save()
    return ["admin@example.com", "shop@example.com"]


def export(target):
    job = jobs.create_job(SyncJob.Kind.ORDER_EXPORT, target=target, trigger=SyncJob.Trigger.STAFF)
    return jobs.run_job(job.pk)


def later(seconds=5):
    return timezone.now() + timedelta(seconds=seconds)


def two_failures_then_recovery(bizuno):
    bizuno["url"] = fs.dead_url()
    first, second = export("PO WC1001"), export("PO WC1002")
    assert (first.status, second.status) == (SyncJob.Status.FAILED, SyncJob.Status.FAILED)
    with fs.FaultServer(fs.json_reply({"result": "Success", "ID": 3})) as server:
        bizuno["url"] = server.url
        assert export("PO WC1003").status == SyncJob.Status.SUCCEEDED
    return first, second


def test_two_failures_and_a_recovery_send_one_down_one_recovered_and_one_digest(bizuno, recipients, settings):
    settings.ALERTS_SITE_URL = "https://office.example.com"
    first, second = two_failures_then_recovery(bizuno)

    sent = alerts.send_alerts(now=later())

    subjects = [m.subject for m in mail.outbox]
    assert subjects == [
        f"[Bizuno sync] Bizuno unreachable since {alerts._at(ConnectionIncident.objects.get().started)}",
        "[Bizuno sync] Bizuno answers again",
        "[Bizuno sync] 2 failed, 1 connection down",
    ]
    assert all(m.to == recipients for m in mail.outbox)
    down, recovered, digest = (m.body for m in mail.outbox)
    assert "Could not connect to Bizuno (connection refused); nothing was sent" in down
    assert "2 calls failed" in recovered
    assert f"- #{first.pk} Order export (orderAdd) PO WC1001: " in digest
    assert f"- #{second.pk} Order export (orderAdd) PO WC1002: " in digest
    assert f"https://office.example.com/admin/sync/syncjob/{first.pk}/change/" in digest
    assert "WC1003" not in digest  # succeeded: nothing to do
    assert sent["digest"] == "[Bizuno sync] 2 failed, 1 connection down"


def test_a_second_run_sends_nothing_again(bizuno, recipients):
    two_failures_then_recovery(bizuno)
    alerts.send_alerts(now=later())
    mail.outbox.clear()

    alerts.send_alerts(now=later(60 * 20))  # past the digest interval too

    assert mail.outbox == []


def test_many_failed_calls_in_one_outage_are_one_incident(bizuno, recipients):
    bizuno["url"] = fs.dead_url()
    for n in range(5):
        export(f"PO WC10{n:02}")

    alerts.send_alerts(now=later())

    incident = ConnectionIncident.objects.get()
    assert (incident.failed_calls, incident.ended) == (5, None)
    assert [m.subject.split(" since")[0] for m in mail.outbox] == ["[Bizuno sync] Bizuno unreachable",
                                                                   "[Bizuno sync] 5 failed, 1 connection down"]


def test_the_digest_waits_for_its_interval_and_then_reports_only_what_is_new(bizuno, recipients, settings):
    with fs.FaultServer(fs.json_reply({"result": "Fail", "message": {"error": [{"text": "Customer e-mail missing"}]}}),
                        fs.json_reply({"result": "Fail", "message": {"error": [{"text": "SKU unknown"}]}})) as server:
        bizuno["url"] = server.url
        export("PO WC1001")
        alerts.send_alerts(now=later())
        export("PO WC1002")
    assert [m.subject for m in mail.outbox] == ["[Bizuno sync] 1 failed"]

    alerts.send_alerts(now=later(60 * 5))  # 5 min: not yet
    assert len(mail.outbox) == 1
    alerts.send_alerts(now=later(60 * 16))

    assert [m.subject for m in mail.outbox] == ["[Bizuno sync] 1 failed", "[Bizuno sync] 1 failed"]
    assert "WC1002" in mail.outbox[1].body and "WC1001" not in mail.outbox[1].body


def test_a_job_failing_again_after_a_retry_is_a_new_item(bizuno, recipients, admin_user):
    bizuno["url"] = fs.dead_url()
    job = export("PO WC1001")
    alerts.send_alerts(now=later())
    mail.outbox.clear()

    jobs.retry_job(job, admin_user, at_once=True)
    alerts.send_alerts(now=later(60 * 16))

    assert [m.subject for m in mail.outbox] == ["[Bizuno sync] 1 failed"]


def test_without_recipients_nothing_is_sent(bizuno):
    bizuno["url"] = fs.dead_url()
    export("PO WC1001")

    alerts.send_alerts(now=later())

    assert mail.outbox == []


def test_rate_quotes_raise_no_alarm(recipients, make_job):
    job = make_job(kind=SyncJob.Kind.SHIP_RATES, target="US 94105, 1 kg")
    SyncJob.objects.filter(pk=job.pk).update(status=SyncJob.Status.FAILED, finished=timezone.now())

    alerts.send_alerts(now=later())

    assert mail.outbox == []


def test_the_alert_settings_page_lets_staff_choose_recipients(client, admin_user):
    client.force_login(admin_user)
    page = client.get(reverse("admin:sync_alertsettings_changelist"), follow=True)
    assert page.status_code == 200 and 'name="recipients"' in page.content.decode()

    client.post(page.redirect_chain[-1][0], {"enabled": "on", "recipients": [admin_user.pk],
                                              "extra_addresses": "shop@example.com", "digest_minutes": "30"})

    alert = AlertSettings.load()
    assert alert.addresses() == ["admin@example.com", "shop@example.com"] and alert.digest_minutes == 30


def test_the_scheduler_runs_the_alerts(monkeypatch):
    from bizunosync.sync import scheduler

    assert ("alert emails", timedelta(minutes=1), "bizunosync.sync.alerts.send_alerts") in scheduler.PERIODIC

"""Reading the log: request bodies as PHP reads them, date ranges, and CSV of what a filtered list shows."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from bizunosync.sync import jobs, request_body
from bizunosync.sync.models import InboundCall, SyncAttempt, SyncJob
from bizunosync.sync.transport import Transport, portal_path
from tests.support import faultserver as fs

pytestmark = pytest.mark.django_db

TOKEN = "tok-SECRET-4711"
JOBS = reverse("admin:sync_syncjob_changelist")
CALLS = reverse("admin:sync_inboundcall_changelist")
ATTEMPTS = reverse("admin:sync_syncattempt_changelist")


@pytest.fixture
def staff_client(client, admin_user):
    client.force_login(admin_user)
    return client


def exported_job(monkeypatch, form):
    def export(job):
        transport = Transport(box["url"] + "/bizuno/", {"X-Bizuno-Token": TOKEN}, 1, 1, peer="Bizuno")
        jobs.call(job, transport, "POST", portal_path("orderAdd"), form=form)

    box = {}
    monkeypatch.setitem(jobs._RUNNERS, "test_export", export)
    with fs.FaultServer(fs.json_reply({"result": "Success", "ID": 2})) as server:
        box["url"] = server.url
        job = jobs.create_job("test_export", target="PO WC1001", trigger=SyncJob.Trigger.STAFF)
        jobs.run_job(job.pk)
    return job


FORM = {"General": {"PurchaseOrderID": "WC1001", "OrderTotal": "39.41"},
        "Item": [{"SKU": "TEA", "Qty": "2"}, {"SKU": "MUG", "Qty": "1"}]}


def test_the_request_body_shows_as_the_nested_fields_php_reads(staff_client, monkeypatch):
    job = exported_job(monkeypatch, FORM)

    html = staff_client.get(reverse("admin:sync_syncjob_change", args=[job.pk])).content.decode()

    assert "Request body, as PHP reads it (secrets redacted)" in html
    assert "General\n  PurchaseOrderID: WC1001\n  OrderTotal: 39.41\nItem\n  0\n    SKU: TEA\n    Qty: 2" in html
    assert "General%5BPurchaseOrderID%5D" not in html  # the URL-encoded blob is not shown again
    assert TOKEN not in html and "[redacted]" in html


def test_a_field_naming_a_secret_is_masked_in_the_decoded_body():
    data, cut = request_body.decoded({"body_excerpt": "user=ann&pass=hunter2&api_key=k1", "body_bytes": 32})

    assert (data, cut) == ({"user": "ann", "pass": "[redacted]", "api_key": "[redacted]"}, False)


def test_a_cut_body_shows_its_whole_fields_and_says_it_was_cut(staff_client, make_job):
    job = make_job()
    SyncAttempt.objects.create(job=job, number=1, method="POST", request_summary={
        "body_excerpt": "a%5Bb%5D=1&a%5Bc%5D=2&a%5Bd%5D=tru", "body_bytes": 90_000})

    html = staff_client.get(reverse("admin:sync_syncjob_change", args=[job.pk])).content.decode()

    assert "a\n  b: 1\n  c: 2</pre>" in html
    assert "Only the first 34 characters of 90,000 bytes are kept" in html


def test_the_job_list_filters_by_a_date_range(staff_client, make_job):
    old, new = make_job(target="PO WC1001"), make_job(target="PO WC1002")
    SyncJob.objects.filter(pk=old.pk).update(created=timezone.now() - timedelta(days=10))
    today = timezone.localdate()

    page = staff_client.get(JOBS, {"created__range__gte": (today - timedelta(days=1)).isoformat(),
                                   "created__range__lte": today.isoformat()})

    assert [j.pk for j in page.context["cl"].result_list] == [new.pk]
    assert "created between" in page.content.decode()


def test_the_attempt_and_inbound_call_lists_filter_by_a_date_range(staff_client, make_job):
    job = make_job()
    SyncAttempt.objects.create(job=job, number=1, started=timezone.now() - timedelta(days=5), error="old")
    SyncAttempt.objects.create(job=job, number=2, error="new")
    InboundCall.objects.create(side="store", endpoint="product/refresh", method="PUT", http_status=200,
                               result="success", received=timezone.now() - timedelta(days=5), note="old")
    InboundCall.objects.create(side="store", endpoint="product/refresh", method="PUT", http_status=200,
                               result="success", note="new")
    since = {"__range__gte": (timezone.localdate() - timedelta(days=1)).isoformat()}

    attempts = staff_client.get(ATTEMPTS, {"started" + k: v for k, v in since.items()})
    calls = staff_client.get(CALLS, {"received" + k: v for k, v in since.items()})

    assert [a.error for a in attempts.context["cl"].result_list] == ["new"]
    assert [c.note for c in calls.context["cl"].result_list] == ["new"]


def read_csv(response) -> list[list[str]]:
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment;" in response["Content-Disposition"]
    return list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))


def test_the_job_list_downloads_as_csv_with_its_filters(staff_client, make_job):
    failed = make_job(target="PO WC1001")
    SyncJob.objects.filter(pk=failed.pk).update(status=SyncJob.Status.FAILED, summary="=HYPERLINK(\"x\")")
    make_job(target="PO WC1002")
    page = staff_client.get(JOBS, {"status__exact": "failed"}).content.decode()
    assert f'href="{JOBS}export.csv?status__exact=failed"' in page

    rows = read_csv(staff_client.get(f"{JOBS}export.csv", {"status__exact": "failed"}))

    assert rows[0][:5] == ["id", "created", "kind", "target", "status"]
    assert [r[3] for r in rows[1:]] == ["PO WC1001"]
    assert rows[1][4] == "Failed" and rows[1][6] == "'=HYPERLINK(\"x\")"  # never a formula in a spreadsheet


def test_the_inbound_call_list_downloads_as_csv_with_its_filters(staff_client):
    InboundCall.objects.create(side="store", endpoint="product/refresh", method="PUT", http_status=200,
                               result="success", note="Updated 3 of 3")
    InboundCall.objects.create(side="store", endpoint="order/confirm", method="POST", http_status=401,
                               result="rejected", note="Invalid credentials.")

    rows = read_csv(staff_client.get(f"{CALLS}export.csv", {"result__exact": "rejected"}))

    assert [r[4] for r in rows[1:]] == ["order/confirm"] and rows[1][11] == "Invalid credentials."


def test_the_csv_needs_the_view_permission(client, django_user_model):
    client.force_login(django_user_model.objects.create_user("clerk", password="x", is_staff=True))

    assert client.get(f"{JOBS}export.csv").status_code == 403

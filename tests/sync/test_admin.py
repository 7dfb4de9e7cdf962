"""The sync log and connection settings as staff see them in the admin."""

import pytest
from django.urls import reverse

from bizunosync.sync import jobs
from bizunosync.sync.connections import BizunoConnection, StoreConnection
from bizunosync.sync.models import FailureClass, InboundCall, SyncAttempt, SyncJob
from bizunosync.wire import secrets
from tests.support import faultserver as fs

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_client(client, admin_user):
    client.force_login(admin_user)
    return client


@pytest.fixture
def failed_job(make_job):
    job = make_job(target="PO WC1001")
    SyncJob.objects.filter(pk=job.pk).update(
        status=SyncJob.Status.FAILED, failure_class=FailureClass.APPLICATION, attempt_count=1,
        summary="Bizuno refused the request: Customer e-mail missing.",
    )
    SyncAttempt.objects.create(
        job=job, number=1, method="POST", url="https://books.example.com/?bizRt=portal/api/orderAdd",
        request_summary={"headers": {"X-Bizuno-Token": "[redacted]"}, "form_fields": 40}, http_status=200,
        response_excerpt='{"result":"Fail"}', messages=[{"level": "error", "text": "Customer e-mail missing"}],
        failure_class=FailureClass.APPLICATION, error="Bizuno refused the request: Customer e-mail missing",
        reached_peer=True, duration_ms=120,
    )
    job.refresh_from_db()
    return job


@pytest.fixture
def review_job(make_job):
    job = make_job(target="PO WC1002")
    SyncJob.objects.filter(pk=job.pk).update(
        status=SyncJob.Status.NEEDS_REVIEW, failure_class=FailureClass.READ_TIMEOUT,
        summary="Bizuno may have booked PO WC1002; check before re-exporting.",
    )
    job.refresh_from_db()
    return job


@pytest.fixture
def ok_job(make_job):
    job = make_job(kind=SyncJob.Kind.QUICK_REFRESH, target="47 items")
    SyncJob.objects.filter(pk=job.pk).update(status=SyncJob.Status.SUCCEEDED)
    return job


CHANGELIST = reverse("admin:sync_syncjob_changelist")


def test_the_log_lists_jobs_with_coloured_status_and_failure_class(staff_client, failed_job, ok_job,
                                                                   django_assert_max_num_queries):
    with django_assert_max_num_queries(12):
        page = staff_client.get(CHANGELIST)
    html = page.content.decode()
    assert page.status_code == 200
    assert "PO WC1001" in html and "47 items" in html
    assert '<strong style="color:#dc3545">Failed</strong>' in html
    assert "Application failure" in html


@pytest.mark.parametrize(
    "query, shown, hidden",
    [
        ("status__exact=failed", "PO WC1001", "47 items"),
        ("kind__exact=quick_refresh", "47 items", "PO WC1001"),
        ("failure_class__exact=application", "PO WC1001", "47 items"),
        ("attention=1", "PO WC1002", "47 items"),
        ("q=WC1001", "PO WC1001", "PO WC1002"),
        ("q=e-mail+missing", "PO WC1001", "47 items"),
    ],
)
def test_the_log_filters_and_searches(staff_client, failed_job, review_job, ok_job, query, shown, hidden):
    html = staff_client.get(f"{CHANGELIST}?{query}").content.decode()
    assert shown in html and hidden not in html


def test_the_detail_page_shows_every_attempt(staff_client, failed_job):
    page = staff_client.get(reverse("admin:sync_syncjob_change", args=[failed_job.pk]))
    html = page.content.decode()
    assert page.status_code == 200
    assert "Bizuno refused the request: Customer e-mail missing" in html
    assert "[redacted]" in html and "Customer e-mail missing" in html
    assert "https://books.example.com/?bizRt=portal/api/orderAdd" in html
    assert 'id="sync-progress-' not in html  # nothing to count for a single order
    assert ">Retry now<" in html  # failed: refused by Bizuno, safe to send again at once
    assert 'name="_save"' not in html


def test_a_running_batch_job_page_has_the_live_progress_bar(staff_client, make_job):
    job = make_job(kind=SyncJob.Kind.QUICK_REFRESH, target="200 items", total=200)
    html = staff_client.get(reverse("admin:sync_syncjob_change", args=[job.pk])).content.decode()
    assert f'id="sync-progress-{job.pk}"' in html
    assert reverse("admin:sync_syncjob_progress", args=[job.pk]) in html
    assert ">Cancel this job</button>" in html


def test_the_progress_endpoint_answers_json(staff_client, make_job):
    job = make_job(kind=SyncJob.Kind.QUICK_REFRESH, target="200 items", total=200)
    SyncJob.objects.filter(pk=job.pk).update(status=SyncJob.Status.RUNNING, processed=50,
                                             summary="Batch 1 of 2 sent")
    data = staff_client.get(reverse("admin:sync_syncjob_progress", args=[job.pk])).json()
    pulse = data.pop("pulse")
    assert data == {
        "id": job.pk, "status": "running", "status_label": "Running", "processed": 50, "succeeded_count": 0, "failed_count": 0, "total": 200,
        "percent": 25, "summary": "Batch 1 of 2 sent", "failure_class": "", "attempts": 0, "done": False,
        "cancel_requested": False, "state": "running",
    }
    assert pulse.startswith(f"Quick Refresh (sync job #{job.pk}) is running, 50 of 200 items sent; its worker was last")


def test_the_progress_endpoint_says_where_a_job_stands_in_words_only_while_it_is_active(staff_client, make_job):
    job = make_job(kind=SyncJob.Kind.QUICK_REFRESH, target="200 items", total=200)
    url = reverse("admin:sync_syncjob_progress", args=[job.pk])

    queued = staff_client.get(url).json()["pulse"]
    SyncJob.objects.filter(pk=job.pk).update(status=SyncJob.Status.SUCCEEDED, processed=200)
    done = staff_client.get(url).json()["pulse"]

    assert queued == f"Quick Refresh (sync job #{job.pk}) is queued; a worker picks it up in a moment." and done == ""


def test_the_progress_endpoint_is_for_staff_only(client, make_job):
    job = make_job()
    page = client.get(reverse("admin:sync_syncjob_progress", args=[job.pk]))
    assert page.status_code == 302 and "/login/" in page["Location"]


def test_retry_selected_asks_first_and_warns_about_jobs_that_may_have_reached_bizuno(
    staff_client, failed_job, review_job, ok_job
):
    page = staff_client.post(CHANGELIST, {"action": "retry_selected",
                                          "_selected_action": [failed_job.pk, review_job.pk, ok_job.pk]})
    html = page.content.decode()
    assert page.status_code == 200
    # The order export needing review may book twice: Django's red "are you sure" look, and says why.
    assert "Yes, send again" in html and "may already have reached Bizuno" in html
    assert "delete-confirmation" in html
    assert "Not retried" in html and "47 items" in html
    assert SyncJob.objects.get(pk=failed_job.pk).status == SyncJob.Status.FAILED


def test_retry_selected_queues_the_jobs_again_and_reports(staff_client, failed_job, ok_job, server, monkeypatch,
                                                          django_capture_on_commit_callbacks):
    ran = []
    monkeypatch.setitem(jobs._RUNNERS, SyncJob.Kind.ORDER_EXPORT, lambda job: ran.append(job.pk))
    with django_capture_on_commit_callbacks(execute=True):
        page = staff_client.post(CHANGELIST, {"action": "retry_selected", "confirm": "yes",
                                              "_selected_action": [failed_job.pk, ok_job.pk]}, follow=True)
    html = page.content.decode()
    assert "Queued 1 job again: Order export (orderAdd) PO WC1001" in html
    assert "Skipped 1 job that is not failed" in html
    assert ran == [failed_job.pk]
    failed_job.refresh_from_db()
    assert failed_job.status == SyncJob.Status.SUCCEEDED
    assert failed_job.history[0]["by"] == "admin"


def test_the_retry_button_on_the_job_page_confirms_then_retries(staff_client, review_job, monkeypatch,
                                                                django_capture_on_commit_callbacks):
    monkeypatch.setitem(jobs._RUNNERS, SyncJob.Kind.ORDER_EXPORT, lambda job: None)
    url = reverse("admin:sync_syncjob_retry", args=[review_job.pk])
    assert "may already have reached" in staff_client.get(url).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        page = staff_client.post(url, {"confirm": "yes"})
    assert page.status_code == 302
    review_job.refresh_from_db()
    assert review_job.status == SyncJob.Status.SUCCEEDED


def test_staff_without_change_permission_cannot_retry(client, django_user_model, failed_job):
    from django.contrib.auth.models import Permission

    viewer = django_user_model.objects.create_user("viewer", password="x", is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_syncjob"))
    client.force_login(viewer)
    client.post(reverse("admin:sync_syncjob_retry", args=[failed_job.pk]), {"confirm": "yes"})
    assert SyncJob.objects.get(pk=failed_job.pk).status == SyncJob.Status.FAILED


def test_the_admin_index_counts_failed_review_and_retrying_jobs_apart_each_linking_to_its_list(
    staff_client, failed_job, review_job, ok_job, make_job
):
    from django.utils import timezone

    waiting = make_job(target="PO WC1003")
    SyncJob.objects.filter(pk=waiting.pk).update(next_attempt_at=timezone.now(), auto_retries=1)
    make_job(target="PO WC1004")  # queued for the first time: not a retry, not a problem

    html = staff_client.get(reverse("admin:index")).content.decode()

    assert "Sync health" in html
    assert f'(<a href="{CHANGELIST}?attention=1">all 3</a>)' in html
    assert f'<a href="{CHANGELIST}?status__exact=failed" style="color:#dc3545;font-weight:bold">1 failed</a>' in html
    assert f'<a href="{CHANGELIST}?status__exact=needs_review"' in html and "1 needs review</a>" in html
    assert f'<a href="{CHANGELIST}?status__exact=retrying"' in html and "1 retrying</a>" in html


@pytest.mark.parametrize("query, count", [("attention=1", 3), ("status__exact=failed", 1),
                                          ("status__exact=needs_review", 1), ("status__exact=retrying", 1),
                                          ("status__exact=queued", 1)])
def test_each_count_on_the_index_opens_a_list_of_exactly_those_jobs(staff_client, failed_job, review_job, ok_job,
                                                                     make_job, query, count):
    from django.utils import timezone

    waiting = make_job(target="PO WC1003")
    SyncJob.objects.filter(pk=waiting.pk).update(next_attempt_at=timezone.now())
    make_job(target="PO WC1004")

    page = staff_client.get(f"{CHANGELIST}?{query}")

    assert page.context["cl"].result_count == count


def test_the_admin_index_shows_the_age_of_the_oldest_unexported_order(staff_client):
    from datetime import timedelta

    from django.apps import apps
    from django.utils import timezone

    Order = apps.get_model("store", "Order")
    Order.objects.create(number="1001", created=timezone.now() - timedelta(days=3), exported=True)
    Order.objects.create(number="1002", created=timezone.now() - timedelta(days=2), exported=False)
    Order.objects.create(number="1003", exported=False)
    html = staff_client.get(reverse("admin:index")).content.decode()
    assert "Oldest order not yet in Bizuno" in html
    assert "placed 2\xa0days ago" in html and "(2 unexported orders)" in html


def test_the_admin_index_says_so_when_every_order_is_exported(staff_client):
    html = staff_client.get(reverse("admin:index")).content.decode()
    assert "All orders exported" in html and "Sync jobs needing attention" in html


def test_the_inbound_call_log_filters_and_searches(staff_client):
    InboundCall.objects.create(side="books", endpoint="orderAdd", method="POST", caller="api-user", http_status=200,
                               result=InboundCall.Result.SUCCESS, note="Booked SO 12")
    InboundCall.objects.create(side="store", endpoint="product/refresh", method="PUT", caller="bizuno",
                               http_status=401, result=InboundCall.Result.REJECTED, note="Invalid credentials")
    url = reverse("admin:sync_inboundcall_changelist")
    assert "Booked SO 12" in staff_client.get(url + "?side=books").content.decode()
    assert "Booked SO 12" not in staff_client.get(url + "?result__exact=rejected").content.decode()
    assert "Invalid credentials" in staff_client.get(url + "?q=bizuno").content.decode()


def test_the_connection_page_masks_the_token_and_keeps_it_when_left_blank(staff_client):
    conn = BizunoConnection.load()
    conn.url = "https://books.example.com/bizuno"
    conn.set_token("Token-Very-Secret-99")
    conn.save()
    url = reverse("admin:sync_bizunoconnection_change", args=[1])
    html = staff_client.get(url).content.decode()
    assert "Token-Very-Secret-99" not in html and conn.token not in html
    assert 'type="password"' in html and "To••••••99" in html
    form = {
        "url": "https://books2.example.com/bizuno", "new_secret": "", "order_prefix": "WC", "customer_prefix": "C",
        "connect_timeout": 5, "read_timeout": 30, "rates_timeout": 3, "rates_cache_seconds": 300,
        "rates_fallback": "flat", "rates_fallback_title": "Standard", "rates_fallback_amount": "7.50",
    }
    assert staff_client.post(url, form).status_code == 302
    conn = BizunoConnection.load()
    assert conn.url == "https://books2.example.com/bizuno" and conn.token_plain == "Token-Very-Secret-99"
    assert staff_client.post(url, {**form, "new_secret": "New-Token-1"}).status_code == 302
    conn = BizunoConnection.load()
    assert conn.token_plain == "New-Token-1" and secrets.is_encrypted(conn.token)


def test_the_connection_page_rejects_a_token_a_proxy_would_reject(staff_client):
    url = reverse("admin:sync_bizunoconnection_change", args=[BizunoConnection.load().pk])
    page = staff_client.post(url, {
        "url": "https://b.example.com", "new_secret": "tök", "order_prefix": "WC", "customer_prefix": "",
        "connect_timeout": 5, "read_timeout": 30, "rates_timeout": 3, "rates_cache_seconds": 300,
        "rates_fallback": "none", "rates_fallback_title": "", "rates_fallback_amount": "0",
    })
    assert page.status_code == 200 and "printable ASCII" in page.content.decode()


def test_the_store_connection_page_explains_proxy_safe_mode_and_masks_the_password(staff_client):
    conn = StoreConnection.load()
    conn.set_password("WpPassword-123")
    conn.save()
    # Store connections are a list (many stores on one books side): the page is the store's own.
    page = staff_client.get(reverse("admin:sync_storeconnection_change", args=[conn.pk]))
    html = page.content.decode()
    assert "Proxy-safe mode" in html and "OWASP Core Rule Set" in html
    assert "WpPassword-123" not in html


def test_the_cancel_button_asks_a_running_job_to_stop(staff_client, make_job):
    job = make_job(kind=SyncJob.Kind.PRODUCT_UPLOAD, target="12 items", total=12)
    SyncJob.objects.filter(pk=job.pk).update(status=SyncJob.Status.RUNNING)
    page = staff_client.post(reverse("admin:sync_syncjob_cancel", args=[job.pk]), follow=True)
    assert "stops after the current item" in page.content.decode()
    job.refresh_from_db()
    assert job.cancel_requested and job.status == SyncJob.Status.RUNNING


def test_the_store_connection_page_has_the_stores_php_max_input_vars_and_saves_it(staff_client):
    url = reverse("admin:sync_storeconnection_change", args=[StoreConnection.load().pk])
    html = staff_client.get(url).content.decode()
    assert "PHP max_input_vars" in html and "PHP silently drops every form field past it" in html

    response = staff_client.post(url, {"url": "https://shop.example.com", "email": "bizuno", "new_secret": "pw",
                                       "max_input_vars": "3000", "connect_timeout": 5, "read_timeout": 60})

    assert response.status_code == 302
    assert StoreConnection.objects.get().max_input_vars == 3000


def test_the_connection_page_says_why_bizuno_refuses_duplicate_pos_is_off_and_saves_it(staff_client):
    url = reverse("admin:sync_bizunoconnection_change", args=[BizunoConnection.load().pk])
    html = staff_client.get(url).content.decode()
    assert "Bizuno refuses duplicate POs" in html
    assert "Off by default, because a real Bizuno books the same PO twice." in html
    assert BizunoConnection.load().refuses_duplicates is False

    form = {
        "url": "https://b.example.com", "new_secret": "T0ken", "order_prefix": "WC", "customer_prefix": "C",
        "refuses_duplicates": "on", "connect_timeout": 5, "read_timeout": 30, "rates_timeout": 3,
        "rates_cache_seconds": 300, "rates_fallback": "none", "rates_fallback_title": "", "rates_fallback_amount": "0",
    }
    assert staff_client.post(url, form).status_code == 302
    assert BizunoConnection.load().refuses_duplicates is True

"""Admin lists on a grown log: what each page load may cost (bench/admin_lists.py measures the time)."""

from datetime import datetime, timedelta, timezone as dt_timezone

import pytest
from django.db import connection
from django.db.models import QuerySet
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from bizunosync.store.models import Order
from bizunosync.sync import admin_scale
from bizunosync.sync.admin_scale import ProbedDatesQuerySet
from bizunosync.sync.models import InboundCall, SyncAttempt, SyncJob

pytestmark = pytest.mark.django_db
JOBS = reverse("admin:sync_syncjob_changelist")
CALLS = reverse("admin:sync_inboundcall_changelist")
ORDERS = reverse("admin:store_order_changelist")


@pytest.fixture
def staff_client(client, admin_user):
    client.force_login(admin_user)
    return client


def jobs(n, *, start=datetime(2025, 11, 30, 22, tzinfo=dt_timezone.utc), step=timedelta(hours=7), **kw):
    made = SyncJob.objects.bulk_create(
        SyncJob(kind=SyncJob.Kind.ORDER_EXPORT, target=f"PO WC{1000 + i}", status=SyncJob.Status.SUCCEEDED,
                created=start + i * step, summary=f"Booked as SO {i}.", **kw) for i in range(n))
    return made


def sqls(captured):
    return [q["sql"] for q in captured.captured_queries]


def test_the_job_list_costs_the_same_queries_for_ten_jobs_as_for_two_hundred(staff_client):
    jobs(10, step=timedelta(days=40))
    with CaptureQueriesContext(connection) as few:
        staff_client.get(JOBS)
    jobs(190, start=datetime(2025, 1, 1, tzinfo=dt_timezone.utc), step=timedelta(days=2))
    with CaptureQueriesContext(connection) as many:
        assert staff_client.get(JOBS).status_code == 200
    assert len(many.captured_queries) == len(few.captured_queries)


def test_no_list_page_counts_the_whole_table_or_truncates_every_date(staff_client):
    jobs(30)
    InboundCall.objects.create(side="store", endpoint="product/refresh", method="PUT", http_status=200, result="success")
    Order.objects.create(number="1001")
    for url in (JOBS, JOBS + "?status__exact=succeeded", CALLS, ORDERS):
        with CaptureQueriesContext(connection) as captured:
            assert staff_client.get(url).status_code == 200
        for sql in sqls(captured):
            assert "DISTINCT" not in sql.upper(), (url, sql)  # the date hierarchy's and the value filters' scans
            if "COUNT(" in sql.upper():
                assert "LIMIT" in sql.upper(), (url, sql)  # a count reads at most COUNT_CAP + 1 rows


def test_below_the_cap_the_list_shows_the_exact_count(staff_client):
    jobs(7)
    assert "7 sync jobs" in staff_client.get(JOBS).content.decode()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the estimate is PostgreSQL's planner's")
def test_past_the_cap_the_list_shows_postgresqls_estimate_marked_as_one(staff_client, monkeypatch):
    monkeypatch.setattr(admin_scale, "COUNT_CAP", 5)
    jobs(40)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE sync_syncjob")
    html = staff_client.get(JOBS).content.decode()
    assert "An estimate" in html and " sync jobs</span>" in html and "about " in html
    assert 'quiet">about ' in html  # the search bar's count is marked as the estimate too


@pytest.mark.skipif(connection.vendor == "postgresql", reason="SQLite counts exactly past the cap")
def test_past_the_cap_sqlite_still_counts_exactly(staff_client, monkeypatch):
    monkeypatch.setattr(admin_scale, "COUNT_CAP", 5)
    jobs(40)
    html = staff_client.get(JOBS).content.decode()
    assert "40 sync jobs" in html and "about " not in html


@pytest.mark.parametrize("kind", ["year", "month", "day"])
def test_the_date_hierarchy_lists_the_same_periods_as_djangos_own_query(kind, settings):
    settings.TIME_ZONE = "America/New_York"  # periods are local: 22:00 UTC on 30 Nov is still November there
    jobs(60, step=timedelta(hours=31))
    jobs(3, start=datetime(2023, 6, 1, tzinfo=dt_timezone.utc), step=timedelta(days=1))
    probed = ProbedDatesQuerySet(SyncJob)
    for narrowed in ({}, {"created__year": 2025}, {"created__year": 2025, "created__month": 12}):
        plain = list(QuerySet(SyncJob).filter(**narrowed).datetimes("created", kind))
        assert list(probed.filter(**narrowed).datetimes("created", kind)) == plain
    assert probed.filter(pk=-1).datetimes("created", kind) == []


def test_searching_a_po_or_order_number_uses_the_target_and_never_reads_attempts(staff_client):
    found, other = jobs(2)
    SyncAttempt.objects.create(job=found, number=1, error="Connection refused")
    for term in ("WC1000", "1000", "PO WC1000"):
        with CaptureQueriesContext(connection) as captured:
            html = staff_client.get(JOBS, {"q": term}).content.decode()
        assert "PO WC1000" in html and "PO WC1001" not in html, term
        assert not any("sync_syncattempt" in sql for sql in sqls(captured))


def test_searching_words_finds_them_in_the_job_summary(staff_client):
    jobs(3)
    SyncJob.objects.filter(target="PO WC1002").update(summary="Bizuno refused: customer e-mail missing.")
    html = staff_client.get(JOBS, {"q": "e-mail missing"}).content.decode()
    assert "PO WC1002" in html and "PO WC1001" not in html


def test_the_order_list_finds_an_order_by_its_number_or_its_po(staff_client):
    Order.objects.create(number="1001")
    Order.objects.create(number="11001")
    for term in ("1001", "WC1001"):
        html = staff_client.get(ORDERS, {"q": term}).content.decode()
        assert "1 order" in html and ">1001<" in html, term


def test_the_endpoint_filter_lists_each_endpoint_once_from_the_index(staff_client):
    for endpoint in ("product/refresh", "order/confirm", "product/refresh", "product/update"):
        InboundCall.objects.create(side="store", endpoint=endpoint, method="PUT", http_status=200, result="success")
    html = staff_client.get(CALLS).content.decode()
    for endpoint in ("product/refresh", "order/confirm", "product/update"):
        assert f"?endpoint={endpoint.replace('/', '%2F')}" in html


@pytest.mark.skipif(connection.vendor != "postgresql", reason="trigram indexes are PostgreSQL's")
def test_on_postgresql_word_search_reads_trigram_indexes_not_the_table():
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexname FROM pg_indexes WHERE indexname LIKE '%%_trgm'")
        names = {row[0] for row in cursor.fetchall()}
    assert {"sync_syncjob_target_trgm", "sync_syncjob_summary_trgm", "sync_inboundcall_note_trgm"} <= names

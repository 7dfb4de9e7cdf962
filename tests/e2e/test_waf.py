"""Quick Refresh through Apache + ModSecurity + OWASP CRS (paranoia 1) in front of the store side.

CRS does not allow PUT (rule 911100): the plain PUT is blocked with an HTML
403 and staff are told, in plain words, to turn on proxy-safe mode; with it
on, the same job goes through as POST + X-HTTP-Method-Override: PUT.
"""

from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command

from bizunosync.store.models import Product
from bizunosync.sync.connections import StoreConnection
from bizunosync.sync.jobs import run_due_jobs
from bizunosync.sync.models import FailureClass, SyncJob
from tests.support.modsec import waf_proxy

pytestmark = pytest.mark.django_db(transaction=True)

BLOCKED = "blocked by a proxy/WAF (HTTP 403); turn on proxy-safe mode"


def test_a_plain_put_is_blocked_and_reported_and_proxy_safe_mode_gets_through(wired, catalog, capsys):
    with waf_proxy(wired.url, paranoia=1) as proxy:
        conn = StoreConnection.load()
        conn.url, conn.method_override = proxy.url, False
        conn.save()

        with pytest.raises(CommandError) as blocked:
            call_command("quick_refresh")

        assert BLOCKED in str(blocked.value)
        assert "[Blocked by a proxy/WAF]" in str(blocked.value)
        job = SyncJob.objects.get()
        attempt = job.attempts.get()
        assert (job.failure_class, attempt.http_status, attempt.method) == (FailureClass.WAF_BLOCK, 403, "PUT")
        assert attempt.reached_peer is False and "<title>403 Forbidden</title>" in attempt.response_excerpt
        assert "911100" in proxy.rule_ids()
        assert Product.objects.get(sku="MUG").regular_price == Decimal("1")  # nothing got through

        # Nothing reached the store, so the job waits for its automatic retry;
        # staff turn on proxy-safe mode and the retry goes through.
        assert job.status == SyncJob.Status.QUEUED
        conn.method_override = True
        conn.save()
        run_due_jobs(now=job.next_attempt_at)

        job.refresh_from_db()
        retried = job.attempts.order_by("number").last()
        assert (job.status, job.summary) == (SyncJob.Status.SUCCEEDED, "Processed 2 items, updated 2.")
        assert (retried.method, retried.http_status) == ("POST", 200)
        assert retried.request_summary["headers"]["X-HTTP-Method-Override"] == "PUT"
        assert Product.objects.get(sku="MUG").regular_price == Decimal("12")

"""Shoppers' rate lookups live in their own log: one condition for staff, no jobs, no alarms."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from bizunosync.store.models import RateQuote
from bizunosync.store.rates.quote_log import condition, prune_rate_quotes
from bizunosync.store.rates.service import quote
from bizunosync.sync.models import SyncJob
from tests.support.faultserver import FaultServer, dead_url, json_reply

from .conftest import BERLIN

pytestmark = pytest.mark.django_db

FEDEX = {"pkg": {"destination": {}}, "rates": [{"id": "fedex:GND", "title": "FedEx Ground", "quote": "12.40"}]}


def quotes(*failed, start=None):
    """One RateQuote a minute from ``start``: True = Bizuno failed (connection refused), False = answered."""
    start = start or timezone.now() - timedelta(minutes=len(failed))
    for n, bad in enumerate(failed):
        RateQuote.objects.create(
            created=start + timedelta(minutes=n), destination="US 94105, 1 kg", fallback_used=bad,
            failure_class="connection" if bad else "", rates=[] if bad else [["fedex:GND", "FedEx Ground", "12.40"]],
        )


def test_twelve_failures_in_the_last_fifteen_quotes_read_as_one_line(connect):
    connect("https://books.example.com/bizuno/", rates_fallback="flat")
    start = timezone.make_aware(timezone.datetime(2026, 12, 3, 14, 0))
    quotes(True, False, False, False, *[True] * 12, start=start)  # the first is out of the window

    assert condition() == ("Rates: Bizuno unreachable for 12 of the last 15 quotes (since 14:04); "
                           "checkout is using the fallback")


def test_no_condition_once_bizuno_answers_again(connect):
    connect("https://books.example.com/bizuno/")
    quotes(True, True, True, False)

    assert condition() == ""


def test_without_a_fallback_rate_the_condition_says_checkout_offers_none(connect):
    connect("https://books.example.com/bizuno/", rates_fallback="none")
    quotes(True)

    assert condition().endswith("checkout offers no shipping rates (no fallback rate is set)")


def test_failing_checkout_quotes_make_no_sync_jobs_and_show_on_the_admin_index(connect, admin_client):
    connect(dead_url(), rates_fallback="flat", rates_fallback_amount=Decimal("5"))
    for _ in range(3):
        quote(BERLIN, Decimal("1"))

    html = admin_client.get(reverse("admin:index")).content.decode()

    assert not SyncJob.objects.exists()
    assert "Rates: Bizuno unreachable for 3 of the last 3 quotes" in html
    assert "Sync jobs needing attention</th>\n      <td id=\"sync-attention\">None" in html


def test_the_rate_quote_log_lists_answers_and_failures(connect, admin_client, django_assert_max_num_queries):
    with FaultServer(json_reply(FEDEX)) as server:
        connect(server.url)
        quote(BERLIN, Decimal("2.5"))
    connect(dead_url(), rates_fallback="flat", rates_fallback_amount=Decimal("5"))
    quote(BERLIN, Decimal("1"))

    with django_assert_max_num_queries(12):
        page = admin_client.get(reverse("admin:store_ratequote_changelist"))

    html = page.content.decode()
    assert "FedEx Ground 12.40" in html and "Could not connect to Bizuno (connection refused)" in html
    assert "Rates: Bizuno unreachable for 1 of the last 2 quotes" in html  # the condition, on top


def test_old_quotes_are_pruned_after_the_retention_period(settings):
    settings.RATE_QUOTE_RETENTION_DAYS = 14
    quotes(False, start=timezone.now() - timedelta(days=15))
    quotes(False, start=timezone.now() - timedelta(days=13))

    assert prune_rate_quotes() == 1
    assert RateQuote.objects.count() == 1


def test_the_scheduler_prunes_the_rate_quotes():
    from bizunosync.sync import scheduler

    assert ("rate quote pruning", timedelta(days=1),
            "bizunosync.store.rates.quote_log.prune_rate_quotes") in scheduler.PERIODIC

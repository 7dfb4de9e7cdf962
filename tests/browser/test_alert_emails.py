"""Staff choose who gets alert emails; two failed exports and an outage make one digest and one down/recovered pair.

One live server plays both sides (``seed_demo --site-url``). Bizuno is pointed
at a port nobody listens on for two exports (no automatic retries, so each
fails at once), then back for a third that books. Mail goes to Django's
locmem backend, which the test reads.
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from bizunosync.sync import alerts
from bizunosync.sync.connections import BizunoConnection
from tests.support.browser import admin_login, screenshot
from tests.support.faultserver import dead_url

pytestmark = pytest.mark.django_db(transaction=True)


def point_bizuno_at(url: str) -> None:
    connection = BizunoConnection.load()
    connection.url = url
    connection.save()


def export_from_the_list(page, base, number):
    page.goto(f"{base}/admin/store/order/")
    row = page.locator("#result_list tbody tr").filter(has=page.locator("th a", has_text=re.compile(rf"^{number}$")))
    row.locator("input.action-select").check()
    page.select_option("select[name=action]", "export_to_bizuno")
    page.click("button[name=index]")
    page.wait_for_load_state()


def test_staff_choose_recipients_and_get_one_digest_and_one_down_recovered_pair(
    live_server, page, admin_user_with_password, settings
):
    settings.SYNC_RETRY_BACKOFF = ()
    settings.ALERTS_SITE_URL = live_server.url
    call_command("seed_demo", "--site-url", live_server.url, stdout=open("/dev/null", "w"))
    books_url = BizunoConnection.load().url
    admin_login(page, live_server.url, "boss", "boss-password")

    page.goto(f"{live_server.url}/admin/sync/alertsettings/")
    page.select_option("#id_recipients_from", label="boss")
    page.click("#id_recipients_add")
    page.fill("#id_extra_addresses", "orders@example.com")
    screenshot(page, "alert-emails-settings-1280")
    page.click("input[name=_save]")
    page.wait_for_load_state()
    assert page.locator(".messagelist .success").count() == 1

    point_bizuno_at(dead_url() + "/bizuno/")
    export_from_the_list(page, live_server.url, "1002")
    export_from_the_list(page, live_server.url, "1003")
    point_bizuno_at(books_url)
    export_from_the_list(page, live_server.url, "1004")
    assert page.locator(".messagelist .success").count() >= 1

    alerts.send_alerts(now=timezone.now() + timedelta(seconds=5))

    assert [m.subject.split(" since ")[0] for m in mail.outbox] == [
        "[Bizuno sync] Bizuno unreachable", "[Bizuno sync] Bizuno answers again",
        "[Bizuno sync] 2 failed, 1 connection down",
    ]
    assert all(m.to == ["boss@example.com", "orders@example.com"] for m in mail.outbox)
    digest = mail.outbox[2].body
    assert "PO WC1002" in digest and "PO WC1003" in digest and "WC1004" not in digest
    # The digest's links open the jobs.
    link = re.search(rf"{re.escape(live_server.url)}/admin/sync/syncjob/\d+/change/", digest).group(0)
    page.goto(link)
    assert "Failed" in page.locator("#content").inner_text()

    mail.outbox.clear()
    alerts.send_alerts(now=timezone.now() + timedelta(minutes=20))
    assert mail.outbox == []  # nothing new: nothing sent again

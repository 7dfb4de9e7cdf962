"""The admin's small things: an icon (no 404 on every page) and one date format."""

from __future__ import annotations

import datetime as dt

from django.contrib.staticfiles import finders
from django.utils import formats


def test_every_admin_page_names_an_icon_that_exists(admin_client):
    page = admin_client.get("/admin/").content.decode()

    assert 'rel="icon" href="/static/sync/favicon.svg"' in page
    assert finders.find("sync/favicon.svg")


def test_a_bare_favicon_request_is_sent_to_the_icon_instead_of_a_404(client):
    response = client.get("/favicon.ico")

    assert response.status_code == 301
    assert response["Location"] == "/static/sync/favicon.svg"


def test_dates_and_times_read_as_iso_in_the_admin_format():
    when = dt.datetime(2026, 12, 2, 14, 5)

    assert formats.date_format(when.date()) == "2026-12-02"
    assert formats.date_format(when, "DATETIME_FORMAT") == "2026-12-02 14:05"
    assert formats.date_format(when.date(), "SHORT_DATE_FORMAT") == "2026-12-02"

"""The console's pages as staff see them: links, permissions, preview, job page."""

import pytest
from django.urls import reverse

from bizunosync.sync import jobs
from bizunosync.sync.models import SyncJob


def test_the_item_list_and_the_books_section_link_to_the_console(staff_client):
    console = reverse("admin:books_console")

    assert f'href="{console}"' in staff_client.get(reverse("admin:books_item_changelist")).content.decode()
    assert f'href="{console}"' in staff_client.get(reverse("admin:app_list", args=["books"])).content.decode()


def test_the_console_shows_the_flagged_count_and_warns_when_the_store_is_not_set_up(staff_client, make_item):
    make_item("A-1")
    make_item("B-2", inactive=True)

    page = staff_client.get(reverse("admin:books_console")).content.decode()

    assert "<strong>1</strong> item flagged" in page
    assert "The store connection is not set up." in page


def test_staff_without_item_permissions_are_refused(client, django_user_model):
    clerk = django_user_model.objects.create_user("clerk", password="x", is_staff=True)
    client.force_login(clerk)

    assert client.get(reverse("admin:books_console")).status_code == 403
    assert client.post(reverse("admin:books_console_quick_refresh")).status_code == 403
    assert not SyncJob.objects.exists()


def test_a_get_on_an_action_url_starts_nothing(staff_client):
    response = staff_client.get(reverse("admin:books_console_quick_refresh"))

    assert response.status_code == 302 and not SyncJob.objects.exists()


def test_the_preview_shows_each_batch_and_sends_nothing(fault_store, staff_client, make_item):
    for n in range(101):
        make_item(f"SKU-{n:03d}", on_hand=5, on_so=2, tiers=[(1, "10"), (12, "8.5")])

    page = staff_client.get(reverse("admin:books_console_quick_refresh_preview")).content.decode()

    # 13 form fields per item (9 values, 2 tiers of qty and price): 76 fit in PHP's default 1000.
    assert "Batch 1 of 2 (76 items)" in page and "Batch 2 of 2 (25 items)" in page
    assert "of up to 100 items\n  and 1000 form fields" in page
    assert "1+ @ 10.00, 12+ @ 8.50" in page and '<td class="num">3</td>' in page
    assert fault_store.requests == [] and not SyncJob.objects.exists()


def test_a_second_quick_refresh_while_one_runs_goes_to_the_running_one(staff_client, make_item):
    running = jobs.create_job(SyncJob.Kind.QUICK_REFRESH, target="1 items", trigger=SyncJob.Trigger.STAFF)
    SyncJob.objects.filter(pk=running.pk).update(status=SyncJob.Status.RUNNING)

    response = staff_client.post(reverse("admin:books_console_quick_refresh"))

    assert response["Location"] == reverse("admin:books_console_job", args=[running.pk])
    assert SyncJob.objects.count() == 1


def test_the_job_page_of_a_running_job_has_a_live_bar_and_a_cancel_button(staff_client):
    job = jobs.create_job(SyncJob.Kind.PRODUCT_UPLOAD, target="3 items", trigger=SyncJob.Trigger.STAFF, total=3)
    SyncJob.objects.filter(pk=job.pk).update(status=SyncJob.Status.RUNNING, processed=1)

    page = staff_client.get(reverse("admin:books_console_job", args=[job.pk])).content.decode()

    assert reverse("admin:sync_syncjob_progress", args=[job.pk]) in page
    assert 'aria-valuenow="33"' in page and 'value="Cancel"' in page

    staff_client.post(reverse("admin:books_console_job_cancel", args=[job.pk]))
    job.refresh_from_db()
    assert job.cancel_requested


def test_the_job_page_does_not_show_other_kinds_of_jobs(staff_client):
    export = jobs.create_job(SyncJob.Kind.ORDER_EXPORT, target="PO WC1", trigger=SyncJob.Trigger.STAFF)

    assert staff_client.get(reverse("admin:books_console_job", args=[export.pk])).status_code == 404


@pytest.mark.parametrize("level", ["error", "warning", "info", "success"])
def test_the_store_messages_of_a_finished_job_are_shown_at_their_level(staff_client, level):
    job = jobs.create_job(SyncJob.Kind.CART_SYNC, target="2 SKUs", trigger=SyncJob.Trigger.STAFF)
    SyncJob.objects.filter(pk=job.pk).update(
        status=SyncJob.Status.SUCCEEDED, result={"messages": [{"level": level, "text": "From the store"}]}
    )

    response = staff_client.get(reverse("admin:books_console_job", args=[job.pk]))

    assert [(m.level_tag, m.message) for m in response.context["messages"]] == [(level, "From the store")]

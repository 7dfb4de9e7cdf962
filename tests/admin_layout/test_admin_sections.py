"""The admin's sections: Connections on their own, the task framework's tables for superusers only."""

from __future__ import annotations

from django.contrib.auth.models import Permission
from django.urls import reverse


def _sections(response) -> dict[str, list[str]]:
    return {app["name"]: [m["name"] for m in app["models"]] for app in response.context["app_list"]}


def test_connections_have_their_own_section_on_the_index(admin_client):
    sections = _sections(admin_client.get("/admin/"))

    assert sections["Connections"] == ["Bizuno connection", "Store connections", "Portal API settings"]
    assert "Bizuno connection" not in sections["Sync log"]
    assert "Portal API settings" not in sections["Books (Bizuno)"]


def test_the_connections_page_lists_them_and_the_sync_log_page_does_not(admin_client):
    connections = admin_client.get(reverse("admin:connections"))
    sync_log = admin_client.get(reverse("admin:app_list", args=["sync"]))

    assert connections.status_code == 200
    assert _sections(connections) == {"Connections": ["Bizuno connection", "Store connections", "Portal API settings"]}
    assert "Bizuno connection" not in _sections(sync_log)["Sync log"]


def test_staff_see_only_the_connections_they_may_view(make_staff, client):
    clerk = make_staff()
    clerk.user_permissions.add(Permission.objects.get(codename="view_storeconnection"))
    client.force_login(clerk)

    assert _sections(client.get("/admin/"))["Connections"] == ["Store connections"]


def test_the_task_frameworks_raw_tables_are_hidden_from_staff_who_are_not_superusers(make_staff, client):
    clerk = make_staff()
    clerk.user_permissions.add(Permission.objects.get(codename="view_dbtaskresult"))
    client.force_login(clerk)

    assert not any("task" in name.lower() for name in _sections(client.get("/admin/")))
    assert client.get("/admin/django_tasks_database/dbtaskresult/").status_code == 403


def test_superusers_still_see_the_task_results(admin_client):
    assert admin_client.get("/admin/django_tasks_database/dbtaskresult/").status_code == 200
    assert any(app["app_label"] == "django_tasks_database" for app in admin_client.get("/admin/").context["app_list"])

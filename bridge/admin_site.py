"""The back office's admin site: Django's, with a Connections section and the task tables kept to superusers.

* **Connections**: where each side finds and logs in to the other (Bizuno
  connection, Store connection, Portal API settings) lived under "Sync log"
  and "Books", among the records. They get their own section on the index, in
  the sidebar and in the breadcrumbs (``admin:connections``).
* **Task framework tables** (django-tasks' raw results: arguments, tracebacks)
  are for whoever runs the server: hidden from, and refused to, staff who are
  not superusers. Staff read the sync log instead.
"""

from __future__ import annotations

from django.contrib import admin
from django.contrib.admin.apps import AdminConfig
from django.template.response import TemplateResponse
from django.urls import path, reverse

# (app label, model name) in the order the section lists them.
CONNECTION_MODELS = [("sync", "bizunoconnection"), ("sync", "storeconnection"), ("books", "portalsettings")]
CONNECTIONS_LABEL = "connections"
# Apps whose admin only superusers see: the task framework and its backends (django_tasks_db's label is
# "django_tasks_database"), matched by package so a backend swapped in by configuration is covered too.
SUPERUSER_ONLY_PACKAGE = "django_tasks"


def _superuser_only(app_label: str) -> bool:
    from django.apps import apps

    try:
        return apps.get_app_config(app_label).name.split(".")[0].startswith(SUPERUSER_ONLY_PACKAGE)
    except LookupError:
        return False


class BackOfficeSite(admin.AdminSite):
    def get_urls(self):
        return [path("connections/", self.admin_view(self.connections_view), name="connections"), *super().get_urls()]

    def get_app_list(self, request, app_label=None):
        if app_label == CONNECTIONS_LABEL:
            group = self._connections(super().get_app_list(request))
            return [group] if group else []
        apps = super().get_app_list(request, app_label)
        group = self._connections(apps) if app_label is None else None
        if not request.user.is_superuser:
            apps = [a for a in apps if not _superuser_only(a["app_label"])]
        for app in apps:
            app["models"] = [m for m in app["models"] if (app["app_label"], m["object_name"].lower())
                             not in CONNECTION_MODELS]
        apps = [a for a in apps if a["models"]]
        if group:
            apps.append(group)
            apps.sort(key=lambda a: a["name"].lower())
        return apps

    def _connections(self, apps) -> dict | None:
        by_key = {(app["app_label"], model["object_name"].lower()): model for app in apps for model in app["models"]}
        models = [by_key[key] for key in CONNECTION_MODELS if key in by_key]
        if not models:
            return None
        return {
            "name": "Connections",
            "app_label": CONNECTIONS_LABEL,
            "app_url": reverse("admin:connections", current_app=self.name),
            "has_module_perms": True,
            "models": models,
        }

    def connections_view(self, request):
        """The section's own page, like an app index."""
        app_list = self.get_app_list(request, CONNECTIONS_LABEL)
        context = {
            **self.each_context(request),
            "title": "Connections",
            "subtitle": None,
            "app_list": app_list,
            "app_label": CONNECTIONS_LABEL,
        }
        request.current_app = self.name
        return TemplateResponse(request, "admin/connections_index.html", context)


def _superusers_only(model_admin):
    """Hide one registered ModelAdmin from staff who are not superusers (menus and URLs alike)."""

    def allowed(request, obj=None):
        return request.user.is_active and request.user.is_superuser

    model_admin.has_module_permission = allowed
    model_admin.has_view_permission = allowed


class BackOfficeAdminConfig(AdminConfig):
    default_site = "bridge.admin_site.BackOfficeSite"

    def ready(self):
        from .admin_numbers import install

        install()  # before autodiscover builds the ModelAdmins (they copy the widget defaults)
        super().ready()  # autodiscover: every app's admin is registered now
        for model, model_admin in admin.site._registry.items():
            if _superuser_only(model._meta.app_label):
                _superusers_only(model_admin)

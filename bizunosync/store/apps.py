from django.apps import AppConfig
from django.db.backends.signals import connection_created


def _use_sqlite_real_parameter_limit(sender, connection, **kwargs):
    """Let SQLite batches be as large as the linked SQLite allows.

    Django 5.2 assumes SQLite's old compile-time default of 999 bound
    parameters and splits bulk_update/bulk_create/in_bulk into several
    statements past it; modern SQLite allows 32,766 or more. Quick Refresh
    writes a whole batch in one statement (a cost the tests pin down), so
    read the real limit from the connection.
    """
    if connection.vendor != "sqlite":
        return
    import sqlite3

    try:
        limit = connection.connection.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)
    except (AttributeError, sqlite3.Error):
        return
    if limit > connection.features.max_query_params:
        connection.features.max_query_params = limit


class StoreConfig(AppConfig):
    name = "bizunosync.store"
    label = "store"
    verbose_name = "Store"

    def ready(self):
        connection_created.connect(_use_sqlite_real_parameter_limit, dispatch_uid="store-sqlite-param-limit")
        from .export import service  # noqa: F401  (registers the orderAdd job runner)
        from .export.changes import connect_signals

        connect_signals()

"""Shared set-up for the bench scripts: a scratch database, migrated, outside the test runner."""

import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def django_scratch(**env):
    sys.path.insert(0, str(ROOT))
    work = tempfile.mkdtemp(prefix="bizunosync-bench-")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bridge.settings")
    os.environ.setdefault("DEBUG", "true")
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{work}/bench.sqlite3")
    os.environ.setdefault("MEDIA_ROOT", f"{work}/media")
    os.environ.setdefault("TASKS_BACKEND", "django_tasks.backends.immediate.ImmediateBackend")
    os.environ.update(env)
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    settings.ALLOWED_HOSTS = ["*"]
    call_command("migrate", verbosity=0)
    return work


def sync_user(password):
    from django.contrib.auth.models import Permission, User

    user, _ = User.objects.get_or_create(username="bizuno", defaults={"email": "bizuno@example.com"})
    user.set_password(password)
    user.save()
    user.user_permissions.add(Permission.objects.get(codename="manage_store_sync"))
    return {"HTTP_EMAIL": "bizuno@example.com", "HTTP_PASS": password}


def settle():
    """PostgreSQL: VACUUM ANALYZE the bench's database once its rows are loaded (outside the clock).

    Each run wipes and reloads its tables; with autovacuum off (as on this machine) the dead
    rows of earlier runs pile up and the statistics go stale, and the planner picks plans no
    production database (autovacuum on, the default) would. Once per run, not per round: a
    VACUUM right before a round left it slower and noisier (its writes still going out).
    Nothing to do on SQLite.
    """
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")

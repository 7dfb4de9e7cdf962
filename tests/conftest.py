"""Fixtures shared by every test: named people, as in healthchecks' tests."""

import os

import pytest
from hypothesis import settings as hypothesis_settings

# One Chromium for the whole run: a second sync Playwright in the same thread
# fails ("Sync API inside the asyncio loop"), so test modules never import
# these fixtures themselves.
from tests.support.browser import browser, page  # noqa: F401

hypothesis_settings.register_profile("default", deadline=None, max_examples=100)
hypothesis_settings.register_profile("ci", deadline=None, max_examples=200, derandomize=True)
hypothesis_settings.load_profile("ci" if os.environ.get("CI") else "default")

# Playwright's sync API runs an event loop in the test thread; Django's
# async-safety check would otherwise refuse ORM calls made from such tests.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(autouse=True)
def _fresh_cache(request):
    # Logins, failed attempts and shipping rates are remembered in the cache:
    # each test starts with none of them. The cache is a table in the project's
    # database (as in production), which a test without database access cannot
    # touch and needs no clearing for; transactional tests' flush leaves it.
    if "_django_db_helper" not in request.fixturenames:
        yield
        return
    request.getfixturevalue("_django_db_helper")
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _rq_worker_in_process(request):
    """On the RQ pass (TASKS_BACKEND=rq): an empty queue per test, and a real RQ worker runs what is enqueued.

    The worker runs in the enqueuing thread, right after the enqueue, so it sees
    the test's transaction as the ImmediateBackend would. Deferred tasks wait in
    RQ's scheduled registry, as in production.
    """
    from tests.support import rq

    if not rq.active():
        yield
        return
    rq.flush()
    if request.node.get_closest_marker("real_workers"):
        yield  # subprocess workers take the jobs
        return
    from django_tasks.signals import task_enqueued
    from django_tasks_rq import RQBackend

    def run(sender, task_result, **kwargs):
        if issubclass(sender, RQBackend) and task_result.task.run_after is None:
            rq.drain()

    task_enqueued.connect(run, dispatch_uid="tests-rq-drain")
    yield
    task_enqueued.disconnect(dispatch_uid="tests-rq-drain")


@pytest.fixture
def alice(django_user_model):
    """Shop staff with the store-sync permission (what Bizuno logs in as)."""
    from django.contrib.auth.models import Permission

    user = django_user_model.objects.create_user(
        "alice", email="alice@example.com", password="alice-password", is_staff=True
    )
    user.user_permissions.add(Permission.objects.get(codename="manage_store_sync"))
    return user


@pytest.fixture
def charlie(django_user_model):
    """A valid login without the sync permission: the outsider."""
    return django_user_model.objects.create_user("charlie", email="charlie@example.com", password="charlie-password")


@pytest.fixture
def admin_user_with_password(django_user_model):
    return django_user_model.objects.create_superuser("boss", email="boss@example.com", password="boss-password")


ORDINARY_RIGHTS = ["view_item", "change_item", "view_order", "change_order", "view_syncjob", "change_syncjob"]


@pytest.fixture
def make_staff(django_user_model):
    """Staff with ordinary view/change rights on items, orders and the sync log, plus any permissions named."""
    from django.contrib.auth.models import Permission

    def make(username="clerk", extra=()):
        user = django_user_model.objects.create_user(username, password="clerk-password", is_staff=True)
        wanted = [*ORDINARY_RIGHTS, *(name.split(".")[1] for name in extra)]
        user.user_permissions.add(*Permission.objects.filter(codename__in=wanted))
        return user

    return make


@pytest.fixture
def clerk(make_staff):
    """Staff who may edit items, orders and jobs, but hold neither permission to send to a peer."""
    return make_staff()

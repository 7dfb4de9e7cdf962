"""Settings for the test suite: the real settings, with test-friendly defaults."""

import os
import tempfile

os.environ.setdefault("SECRET_KEY", "tests-only-secret-key")
os.environ.setdefault("FIELD_ENCRYPTION_KEY", "tests-only-field-key")
os.environ.setdefault("TASKS_BACKEND", "django_tasks.backends.immediate.ImmediateBackend")
# The suite talks plain http (test client, live server, Chromium on loopback).
for _name in ("SECURE_SSL_REDIRECT", "SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE"):
    os.environ.setdefault(_name, "false")
os.environ.setdefault("MEDIA_ROOT", tempfile.mkdtemp(prefix="bizunosync-media-"))
if os.environ["TASKS_BACKEND"].strip().lower() in ("rq", "django_tasks_rq.rqbackend"):
    # The RQ pass (.ci/run) flushes this Redis database before every test: never 0, never the cache's.
    os.environ.setdefault("RQ_URL", "redis://127.0.0.1:6379/15")

from .settings import *  # noqa: E402,F403

# Hashing is deliberately slow; the suite creates many users. The credential
# cache benchmark in bench/ uses the real hasher.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
ALLOWED_HOSTS = ["*"]

# Whitenoise warns about a missing STATIC_ROOT on every request; tests serve
# static files through the finders (live_server) instead.
STATIC_ROOT = tempfile.mkdtemp(prefix="bizunosync-static-")

# On SQLite the test database is a file, not shared-cache memory: the live
# server, the browser tests' stand-in worker and the test itself then use
# their own connections and wait for each other's locks (the busy timeout in
# settings) instead of failing with "database table is locked", as a real
# `make run` site with its worker does.
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # noqa: F405
    DATABASES["default"]["TEST"] = {  # noqa: F405
        "NAME": os.path.join(tempfile.mkdtemp(prefix="bizunosync-testdb-"), "test.sqlite3")
    }

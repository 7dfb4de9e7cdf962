"""Production settings from the environment: `check --deploy` clean, HTTPS hardening off under DEBUG,
and a cache every web process shares unless CACHE_URL says otherwise."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
# Whatever the test run itself set (settings_test turns the HTTPS settings off for plain-http tests).
SCRUB = ("DJANGO_SETTINGS_MODULE", "DEBUG", "CACHE_URL", "SECURE_SSL_REDIRECT", "SESSION_COOKIE_SECURE",
         "CSRF_COOKIE_SECURE", "SECURE_HSTS_SECONDS", "SECURE_HSTS_INCLUDE_SUBDOMAINS", "SECURE_HSTS_PRELOAD",
         "SECURE_PROXY_SSL_HEADER", "ALLOWED_HOSTS", "SECRET_KEY", "DATABASE_URL", "DJANGO_ALLOW_ASYNC_UNSAFE")
PRODUCTION = {
    "DEBUG": "false",
    "SECRET_KEY": "k3Qv9-Zp1xW8mN2bR7tY4uI0oP6aS5dF3gH8jK1lZ9xC7vB2nM4qW6eR0tY5uI3o",
    "ALLOWED_HOSTS": "shop.example.com",
    "DATABASE_URL": "postgres://bizuno@db.internal:5432/bizunosync",
    "SECURE_PROXY_SSL_HEADER": "HTTP_X_FORWARDED_PROTO,https",
    "SECURE_HSTS_PRELOAD": "true",
}


def run(args, **env):
    clean = {k: v for k, v in os.environ.items() if k not in SCRUB}
    clean["DJANGO_SETTINGS_MODULE"] = "bridge.settings"
    return subprocess.run([sys.executable, *args], cwd=ROOT, env={**clean, **env}, capture_output=True, text=True,
                          timeout=60)


def settings_under(**env) -> dict:
    names = ["DEBUG", "SECURE_SSL_REDIRECT", "SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE", "SECURE_HSTS_SECONDS",
             "SECURE_HSTS_INCLUDE_SUBDOMAINS", "SECURE_HSTS_PRELOAD", "SECURE_PROXY_SSL_HEADER", "CACHES"]
    code = ("import json, django; django.setup(); from django.conf import settings; "
            f"print(json.dumps({{n: getattr(settings, n) for n in {names!r}}}))")
    done = run(["-c", code], **env)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_check_deploy_is_clean_with_debug_off_and_the_production_variables_set():
    done = run(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], **PRODUCTION)

    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "System check identified no issues (0 silenced)."


def test_check_deploy_names_what_a_production_site_leaves_insecure():
    done = run(["manage.py", "check", "--deploy", "--fail-level", "WARNING"],
               **{**PRODUCTION, "SECURE_SSL_REDIRECT": "false", "SECURE_HSTS_SECONDS": "0"})

    assert done.returncode != 0
    assert "security.W004" in done.stderr and "security.W008" in done.stderr


def test_production_defaults_are_the_safe_ones_and_debug_turns_them_off():
    production = settings_under(**PRODUCTION)
    debug = settings_under(DEBUG="true")

    assert production["SECURE_SSL_REDIRECT"] and production["SESSION_COOKIE_SECURE"] and production["CSRF_COOKIE_SECURE"]
    assert production["SECURE_HSTS_SECONDS"] >= 31_536_000 and production["SECURE_HSTS_INCLUDE_SUBDOMAINS"]
    assert production["SECURE_PROXY_SSL_HEADER"] == ["HTTP_X_FORWARDED_PROTO", "https"]
    assert not any(debug[n] for n in ("SECURE_SSL_REDIRECT", "SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE",
                                      "SECURE_HSTS_SECONDS", "SECURE_PROXY_SSL_HEADER"))


def test_each_https_setting_can_be_set_from_the_environment():
    chosen = settings_under(**{**PRODUCTION, "SECURE_SSL_REDIRECT": "false", "SESSION_COOKIE_SECURE": "false",
                               "SECURE_HSTS_SECONDS": "3600", "SECURE_HSTS_INCLUDE_SUBDOMAINS": "false"})

    assert chosen["SECURE_SSL_REDIRECT"] is False and chosen["SESSION_COOKIE_SECURE"] is False
    assert chosen["SECURE_HSTS_SECONDS"] == 3600 and chosen["SECURE_HSTS_INCLUDE_SUBDOMAINS"] is False


def test_a_malformed_proxy_header_setting_is_an_error_not_a_silent_default():
    done = run(["manage.py", "check"], **{**PRODUCTION, "SECURE_PROXY_SSL_HEADER": "X-Forwarded-Proto"})

    assert done.returncode != 0 and "use HEADER,value" in done.stderr


def test_the_default_cache_is_the_database_and_cache_url_still_selects_redis():
    default = settings_under(DEBUG="true")["CACHES"]["default"]
    redis = settings_under(DEBUG="true", CACHE_URL="redis://127.0.0.1:6379/1")["CACHES"]["default"]

    assert default["BACKEND"] == "django.core.cache.backends.db.DatabaseCache"
    assert default["LOCATION"] == "bizunosync_cache" and default["OPTIONS"]["MAX_ENTRIES"] >= 100_000
    assert redis["BACKEND"] == "django.core.cache.backends.redis.RedisCache"
    assert redis["LOCATION"] == "redis://127.0.0.1:6379/1"


def test_the_wsgi_application_loads_with_the_startup_heap_frozen_out_of_the_collectors_sight():
    # gunicorn imports bridge.wsgi in each worker: what is loaded by then stays for the process's life,
    # and a full collection that walked it cost 60-70 ms inside a 1,000-item Quick Refresh call.
    code = "import gc; import bridge.wsgi; print(gc.get_freeze_count(), callable(bridge.wsgi.application))"
    done = run(["-c", code], **PRODUCTION)

    assert done.returncode == 0, done.stderr
    frozen, loaded = done.stdout.split()
    assert loaded == "True"
    assert int(frozen) > 10_000  # Django, the apps and the URLconf, not a handful of objects

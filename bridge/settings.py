"""Settings, read from the environment and an optional `.env` (django-environ)."""

import os
from pathlib import Path

import environ

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)


def _strict_bool(name, default):
    # A boolean that is neither true nor false is a typo worth failing on,
    # not a silent False.
    raw = env.str(name, default=None)
    if raw is None:
        return default
    lowered = raw.strip().lower()
    if lowered in {"1", "true", "yes", "on"}:
        return True
    if lowered in {"0", "false", "no", "off", ""}:
        return False
    raise environ.ImproperlyConfigured(f"{name}={raw!r} is not a boolean (use true or false)")


DEBUG = _strict_bool("DEBUG", default=False)

DEV_SECRET_KEY = "dev-only-insecure-secret-key-do-not-use-in-production"
SECRET_KEY = env.str("SECRET_KEY", default=DEV_SECRET_KEY if DEBUG else None)
if not SECRET_KEY:
    raise environ.ImproperlyConfigured("SECRET_KEY is required when DEBUG is off")

# Key for secrets at rest (API token, store password). Falls back to a key
# derived from SECRET_KEY so a development install works out of the box.
FIELD_ENCRYPTION_KEY = env.str("FIELD_ENCRYPTION_KEY", default="")

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "bridge.admin_site.BackOfficeAdminConfig",  # django.contrib.admin with a Connections section
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_tasks",
    "django_tasks_db",
    "bizunosync.sync",
    "bizunosync.store",
    "bizunosync.books",
    "bizunosync.demo",
    "rangefilter",  # date-range filters on the sync log lists (django-admin-rangefilter)
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    # Before CSRF: its check reads the form too, and a NUL there must be a 400, not a lookup.
    "bridge.middleware.RefuseNulMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "bridge.urls"
WSGI_APPLICATION = "bridge.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The web server and the task worker share the file: wait for locks
    # instead of failing with "database is locked".
    DATABASES["default"].setdefault("OPTIONS", {}).update({"timeout": 20, "transaction_mode": "IMMEDIATE"})
    # Write-ahead log: readers never wait for the writer, and a commit appends to the log instead
    # of syncing the whole database file (synchronous=NORMAL is durable in WAL mode except for the
    # last transactions on power loss). A Quick Refresh batch commits a few times on each side.
    DATABASES["default"]["OPTIONS"].setdefault("init_command", "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;")
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Keep each process's connection for a minute (checked before reuse) instead of opening one per
    # request: at 20 product pages/s on gunicorn -w 4 the p50 went 235 ms → 12 ms (bench/latency_gunicorn.py).
    # DATABASE_URL=…?conn_max_age=0 turns it off (a pooler such as PgBouncer in transaction mode).
    DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=60))
    DATABASES["default"].setdefault("CONN_HEALTH_CHECKS", True)

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = env.str("TIME_ZONE", default="UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
MEDIA_URL = "media/"
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(BASE_DIR / "media")))

# Bizuno's Quick Refresh sends 100 items with tiers in one form body: well
# over Django's default 1000 fields. Our own PHP-form parser enforces its own
# limits (depth, size), so Django's field counter must not reject the batch.
DATA_UPLOAD_MAX_NUMBER_FIELDS = None
DATA_UPLOAD_MAX_MEMORY_SIZE = env.int("DATA_UPLOAD_MAX_MEMORY_SIZE", default=32 * 1024 * 1024)

# Failed-login and token-failure counters, verified logins and shipping rates
# must be shared by every web process: with per-process memory, two gunicorn
# workers each allowed their own ten guesses. The default is Django's database
# cache on the project's database (no new service; `migrate` creates its table,
# see sync/apps.py); CACHE_URL=redis://… selects Redis.
CACHES = {
    "default": env.cache("CACHE_URL", default="dbcache://bizunosync_cache"),
}
if CACHES["default"]["BACKEND"] == "django.core.cache.backends.db.DatabaseCache":
    # The default cap (300 rows, then a third culled) would let a flood of
    # junk keys cull the failure counters: keep far more than any flood makes.
    CACHES["default"].setdefault("OPTIONS", {}).setdefault("MAX_ENTRIES", 100_000)

# Background jobs. The database backend is the embedded default (`manage.py
# db_worker`); TASKS_BACKEND=rq puts them on Redis through django-tasks' RQ
# backend (`manage.py rqworker --with-scheduler`, on any machine that reaches
# Redis and the database). A dotted backend path is taken as given.
TASKS_BACKEND_ALIASES = {
    "database": "django_tasks_db.DatabaseBackend",
    "db": "django_tasks_db.DatabaseBackend",
    "rq": "django_tasks_rq.RQBackend",
    "immediate": "django_tasks.backends.immediate.ImmediateBackend",
}
_tasks_backend = env.str("TASKS_BACKEND", default="database")
TASKS = {
    "default": {
        "BACKEND": TASKS_BACKEND_ALIASES.get(_tasks_backend.strip().lower(), _tasks_backend.strip()),
    }
}
if TASKS["default"]["BACKEND"] == "django_tasks_rq.RQBackend":
    INSTALLED_APPS.append("django_rq")
    # Deferred retries are RQ scheduled jobs: a worker started with
    # --with-scheduler moves them to the queue when due. DEFAULT_TIMEOUT is
    # RQ's per-job limit: a Quick Refresh of a large catalog runs for minutes.
    RQ_QUEUES = {
        "default": {
            "URL": env.str("RQ_URL", default="redis://127.0.0.1:6379/0"),
            "DEFAULT_TIMEOUT": env.int("RQ_JOB_TIMEOUT", default=6 * 3600),
        }
    }
    # Workers must run jobs as django-tasks tasks (RQ's own Job class cannot call a Task).
    RQ = {"JOB_CLASS": "django_tasks_rq.Job"}
    RQ_SHOW_ADMIN_LINK = False

LOGIN_URL = "admin:login"

# What the storefront writes before its prices. Read raw: django-environ takes a
# value starting with "$" for a reference to another variable.
SHOP_CURRENCY_SYMBOL = os.environ.get("SHOP_CURRENCY_SYMBOL", "$")
# The storefront's flat sales-tax rate, a decimal fraction such as "0.19".
SHOP_TAX_RATE = env.str("SHOP_TAX_RATE", default="0")
# Seconds before each automatic retry of a request that never reached the peer.
SYNC_RETRY_BACKOFF = tuple(env.list("SYNC_RETRY_BACKOFF", cast=int, default=[30, 120, 600]))
# A running job whose worker has not been heard from for this long is recovered
# (Quick Refresh and Product Upload resume, anything else goes to review).
SYNC_HEARTBEAT_TIMEOUT = env.int("SYNC_HEARTBEAT_TIMEOUT", default=120)
# How often `manage.py sync_scheduler` looks for due retries and stalled jobs.
SYNC_SCHEDULER_INTERVAL = env.int("SYNC_SCHEDULER_INTERVAL", default=30)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "loggers": {"bizunosync": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")}},
}

# Same-site topology (bizunosync.sync.inprocess): this site's own addresses. A
# Bizuno or store connection whose URL has one of these origins is called in
# this process (no socket), through the same request handler, authentication
# and wire encoding as over HTTP. Empty: every call goes over HTTP.
SITE_URLS = env.list("SITE_URLS", default=[])
# Bizuno is this site: the store's Bizuno connection is called in-process whatever its host.
BIZUNO_IN_THIS_SITE = _strict_bool("BIZUNO_IN_THIS_SITE", default=False)

# Dates read one way everywhere (admin, console, ship notes): bridge/formats/en/formats.py.
FORMAT_MODULE_PATH = ["bridge.formats"]

# Sync-log retention (bizunosync.sync.prune): succeeded jobs and inbound calls older than this many
# days are deleted by the scheduler (daily) or `manage.py sync_prune`; unresolved failures stay.
SYNC_LOG_RETENTION_DAYS = env.int("SYNC_LOG_RETENTION_DAYS", default=90)

# HTTPS hardening, each overridable from the environment. With DEBUG off the
# defaults are the production-safe ones (`manage.py check --deploy` clean);
# under DEBUG (`make run`, plain http on loopback) they are all off.
SECURE_SSL_REDIRECT = _strict_bool("SECURE_SSL_REDIRECT", default=not DEBUG)
# Paths (regexes, no leading slash) answered over plain http too, e.g. a health check.
SECURE_REDIRECT_EXEMPT = env.list("SECURE_REDIRECT_EXEMPT", default=[])
SESSION_COOKIE_SECURE = _strict_bool("SESSION_COOKIE_SECURE", default=not DEBUG)
CSRF_COOKIE_SECURE = _strict_bool("CSRF_COOKIE_SECURE", default=not DEBUG)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 31_536_000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = _strict_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=not DEBUG)
# Preloading is hard to undo (browsers ship the list): only on request.
SECURE_HSTS_PRELOAD = _strict_bool("SECURE_HSTS_PRELOAD", default=False)


def _proxy_ssl_header(raw):
    # "HTTP_X_FORWARDED_PROTO,https": trust this header from the TLS-terminating
    # proxy. Unset by default: trusted without a proxy that sets it, any client
    # could claim https.
    if not raw:
        return None
    name, sep, value = (part.strip() for part in raw.partition(","))
    if not sep or not name or not value:
        raise environ.ImproperlyConfigured(
            f"SECURE_PROXY_SSL_HEADER={raw!r}: use HEADER,value, e.g. HTTP_X_FORWARDED_PROTO,https"
        )
    return (name, value)


SECURE_PROXY_SSL_HEADER = _proxy_ssl_header(env.str("SECURE_PROXY_SSL_HEADER", default=""))

# Mail: staff alerts and the shopper's order mails. EMAIL_URL in django-environ's
# form, e.g. smtp+tls://user:pass@mail.example.com:587; by default the console
# backend, so `make run` prints what would be sent. Tests use Django's locmem backend.
vars().update(env.email_url("EMAIL_URL", default="consolemail://"))
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Shop back office <noreply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# Where the links in alert emails point (the back office as staff reach it).
ALERTS_SITE_URL = env.str("ALERTS_SITE_URL", default=(SITE_URLS[0] if SITE_URLS else "http://127.0.0.1:8000"))
# Shoppers' rate lookups (their own light log, not sync jobs) are kept this many days.
RATE_QUOTE_RETENTION_DAYS = env.int("RATE_QUOTE_RETENTION_DAYS", default=14)

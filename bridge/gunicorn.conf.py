"""gunicorn settings for production: `gunicorn -c bridge/gunicorn.conf.py bridge.wsgi`.

Each value can be overridden from the environment (GUNICORN_* or gunicorn's
own command-line flags). Several worker processes share nothing but the
database and the cache, which is why the cache must be a shared one (the
database cache by default, or Redis with CACHE_URL).
"""

import multiprocessing
import os

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
# gunicorn's rule of thumb, capped: each process holds one database connection.
workers = int(os.environ.get("WEB_CONCURRENCY", min(2 * multiprocessing.cpu_count() + 1, 9)))
threads = int(os.environ.get("GUNICORN_THREADS", 1))
# Bizuno's Product Upload sends images base64 in one request, and a slow
# Bizuno holds checkout's rate quote up to its own timeout: 60 s is generous.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", 60))
graceful_timeout = 30
# Recycle workers now and then: a slow leak never grows without bound.
max_requests = 2000
max_requests_jitter = 200
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-")
errorlog = "-"
# The TLS proxy in front sets X-Forwarded-Proto; Django reads it through
# SECURE_PROXY_SSL_HEADER. Trust forwarded headers only from the proxy's address.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
# gunicorn's control socket (for gunicornc) lives at one per-user path: two
# instances on one machine would fight over it, and nothing here uses it.
control_socket_disable = os.environ.get("GUNICORN_CONTROL_SOCKET", "") == ""

#!/bin/sh
# `make serve`: the production stack on this machine, for a try.
#
#   gunicorn (WEB_CONCURRENCY processes, 4 here) · the task worker(s) for
#   TASKS_BACKEND (db_worker, or rqworker --with-scheduler for rq) · the
#   scheduler (sync_scheduler)
#
# Everything is read from the environment and .env as in production, so
# DATABASE_URL=postgres://… CACHE_URL=redis://… TASKS_BACKEND=rq point it at
# the machine's PostgreSQL and Redis. Only what a plain-http try on loopback
# cannot have is defaulted here, when neither the environment nor .env sets
# it: a secret key kept in .serve-secret-key, ALLOWED_HOSTS for loopback, and
# https-only cookies, redirects and HSTS off.
set -eu
cd "$(dirname "$0")/.."
BIN=${BIN:-.venv/bin}
HOST=${HOST:-127.0.0.1}
PORT=${PORT:-8000}
WORKERS=${WORKERS:-2}

default() {  # default NAME VALUE: export unless the environment or .env sets NAME
  if eval "[ -z \"\${$1+x}\" ]" && ! grep -qs "^$1=" .env; then export "$1=$2"; fi
}
export DEBUG=false
if eval '[ -z "${SECRET_KEY+x}" ]' && ! grep -qs '^SECRET_KEY=' .env; then
  [ -s .serve-secret-key ] || "$BIN/python" -c 'import secrets; print(secrets.token_urlsafe(50))' > .serve-secret-key
  SECRET_KEY=$(cat .serve-secret-key); export SECRET_KEY
fi
default ALLOWED_HOSTS "$HOST,127.0.0.1,localhost"
default SECURE_SSL_REDIRECT false
default SESSION_COOKIE_SECURE false
default CSRF_COOKIE_SECURE false
default SECURE_HSTS_SECONDS 0
export WEB_CONCURRENCY="${WEB_CONCURRENCY:-4}"  # gunicorn reads the environment, not .env

"$BIN/python" manage.py migrate --no-input
"$BIN/python" manage.py collectstatic --no-input -v 0
if [ "${SEED_DEMO:-0}" = 1 ]; then
  "$BIN/python" manage.py seed_demo --with-admin --site-url "http://$HOST:$PORT"
fi
backend=$("$BIN/python" manage.py shell --no-imports -v 0 -c "from django.conf import settings; print(settings.TASKS['default']['BACKEND'])")

pids=""
trap 'kill $pids 2>/dev/null; wait' EXIT INT TERM
n=0
while [ "$n" -lt "$WORKERS" ]; do
  case "$backend" in
    django_tasks_rq.*) "$BIN/python" manage.py rqworker --with-scheduler default & ;;
    *) "$BIN/python" manage.py db_worker --no-reload & ;;
  esac
  pids="$pids $!"; n=$((n + 1))
done
"$BIN/python" manage.py sync_scheduler & pids="$pids $!"
echo "make serve: $backend with $WORKERS worker(s), the scheduler, and gunicorn ($WEB_CONCURRENCY processes) on http://$HOST:$PORT"
"$BIN/gunicorn" -c bridge/gunicorn.conf.py --bind "$HOST:$PORT" bridge.wsgi & pids="$pids $!"
wait

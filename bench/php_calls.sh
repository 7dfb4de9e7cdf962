#!/usr/bin/env bash
# Start the store on a free port with a scratch database and a demo Bizuno login,
# then run bench/php_calls.php against it (real PHP + curl, as Bizuno sends).
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
WORK=$(mktemp -d)
PORT=$($PY -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
export DEBUG=true DATABASE_URL="sqlite:///$WORK/db.sqlite3" MEDIA_ROOT="$WORK/media" TASKS_BACKEND=django_tasks.backends.immediate.ImmediateBackend
$PY manage.py migrate -v 0
$PY manage.py seed_demo >/dev/null
$PY manage.py shell -c "
from django.contrib.auth.models import Permission, User
u, _ = User.objects.get_or_create(username='bizuno', defaults={'email': 'bizuno@example.com'})
u.set_password('bizuno-demo-pass'); u.save()
u.user_permissions.add(Permission.objects.get(codename='manage_store_sync'))
"
$PY manage.py runserver "127.0.0.1:$PORT" --noreload >"$WORK/server.log" 2>&1 &
SERVER=$!
trap 'kill $SERVER 2>/dev/null; rm -rf "$WORK"' EXIT
for _ in $(seq 50); do curl -s -o /dev/null "http://127.0.0.1:$PORT/wp-json/bizuno-api/v1/" && break; sleep 0.2; done
php bench/php_calls.php "http://127.0.0.1:$PORT" bizuno@example.com bizuno-demo-pass
echo "== inbound call log =="
$PY manage.py shell -c "
from bizunosync.sync.models import InboundCall
from bizunosync.sync.touched import refs_of
for c in InboundCall.objects.order_by('received'):
    print(c.method, c.endpoint, c.caller, c.http_status, c.result, f'items={c.item_count} changed={c.changed_count}', repr(c.note), refs_of(c)[0], f'{c.duration_ms}ms')
"

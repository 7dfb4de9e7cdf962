#!/usr/bin/env bash
# export_orders against a dead port (failure lines), then against a live books side
# (manage.py runserver with the portal token set: successes with Bizuno IDs), then a
# second run that sends nothing. Throwaway SQLite DB, seeded with seed_demo.
set -uo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
DB=${DB:-/tmp/bizunosync-export-bench.sqlite3}
rm -f "$DB"
free_port() { $PY -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
DEAD=$(free_port); PORT=$(free_port)
TOKEN="bench-portal-token-$RANDOM$RANDOM"
export DEBUG=true DATABASE_URL="sqlite:///$DB" TASKS_BACKEND=django_tasks.backends.immediate.ImmediateBackend
$PY manage.py migrate -v 0
$PY manage.py seed_demo | sed 's/^/  seed: /'
$PY manage.py bizuno_portal --token "$TOKEN" | sed 's/'"$TOKEN"'/[token]/g; s/^/  books: /'
echo "== list =="
$PY manage.py export_orders --list
echo "== 1) Bizuno URL -> dead port $DEAD =="
$PY manage.py bizuno_connect --url "http://127.0.0.1:$DEAD/bizuno" --token "$TOKEN" >/dev/null
$PY manage.py export_orders --all-unexported; echo "(exit status $?)"
echo "== 2) Bizuno URL -> live books side (runserver on $PORT) =="
$PY manage.py runserver "127.0.0.1:$PORT" --noreload >/tmp/bizunosync-bench-runserver.log 2>&1 &
SERVER=$!
trap 'kill $SERVER 2>/dev/null' EXIT
for _ in $(seq 100); do curl -s -o /dev/null "http://127.0.0.1:$PORT/bizuno/" && break; sleep 0.1; done
$PY manage.py bizuno_connect --url "http://127.0.0.1:$PORT/bizuno" --token "$TOKEN" >/dev/null
# The dead-port jobs wait for their automatic retry: export_orders runs those jobs now.
$PY manage.py export_orders --all-unexported; echo "(exit status $?)"
echo "== 3) second run =="
BEFORE=$(grep -c 'orderAdd' /tmp/bizunosync-bench-runserver.log)
$PY manage.py export_orders --all-unexported; echo "(exit status $?)"
$PY manage.py export_orders 1001 1002; echo "(exit status $?)"
AFTER=$(grep -c 'orderAdd' /tmp/bizunosync-bench-runserver.log)
echo "orderAdd requests seen by runserver: before 3) $BEFORE, after 3) $AFTER"
echo "== books side: booked sales orders =="
$PY manage.py shell -v 0 -c "
from bizunosync.books.models import SalesOrder
for so in SalesOrder.objects.order_by('pk'):
    print(so.pk, so.po_reference, so.journal, so.billing_name, so.billing_email, so.total, [(l.sku, str(l.quantity)) for l in so.lines.all()])
"

#!/usr/bin/env bash
# What PHP sees: export a two-line demo order to `php -S` with a router that records
# $_GET, $_POST and getallheaders(), then print the nested arrays PHP parsed.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
WORK=$(mktemp -d)
PORT=$($PY -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
TOKEN="demo-php-token-$RANDOM$RANDOM"
export DEBUG=true DATABASE_URL="sqlite:///$WORK/db.sqlite3" MEDIA_ROOT="$WORK/media" \
  TASKS_BACKEND=django_tasks.backends.immediate.ImmediateBackend
$PY manage.py migrate -v 0
$PY manage.py seed_demo >/dev/null
$PY manage.py bizuno_connect --url "http://127.0.0.1:$PORT/bizuno" --token "$TOKEN" --order-prefix WC --customer-prefix C >/dev/null
EXPECTED_TOKEN="$TOKEN" RECORD_FILE="$WORK/record.json" php -S "127.0.0.1:$PORT" bench/php_sees_order_router.php >"$WORK/php.log" 2>&1 &
PHP_PID=$!
trap 'kill $PHP_PID 2>/dev/null; rm -rf "$WORK"' EXIT
for _ in $(seq 50); do curl -s -o /dev/null "http://127.0.0.1:$PORT/" && break; sleep 0.1; done
echo "== order 1004 in the store (two lines, not yet exported) =="
$PY manage.py shell -c "
from bizunosync.store.models import Order
o = Order.objects.get(number='1004')
print(o.number, o.status, o.billing_name, o.billing_email, 'total', o.total)
for l in o.lines.all(): print('  ', l.quantity, 'x', l.sku, l.name, 'subtotal', l.subtotal, 'tax', l.subtotal_tax)
"
echo "== manage.py export_orders 1004 (php -S on port $PORT) =="
$PY manage.py export_orders 1004
echo "== what PHP parsed (json_encode of \$_GET, \$_POST, getallheaders(), selected \$_SERVER) =="
cat "$WORK/record.json"; echo

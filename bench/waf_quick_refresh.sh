#!/usr/bin/env bash
# Quick Refresh through Apache + ModSecurity + OWASP CRS (paranoia level 1) in front
# of this project's store side: blocked and reported with a plain PUT, passing in
# proxy-safe mode (POST + X-HTTP-Method-Override: PUT). Throwaway SQLite DB.
# Needs: apt-get install apache2 libapache2-mod-security2 modsecurity-crs
set -uo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
DB=${DB:-/tmp/bizunosync-waf-bench.sqlite3}
rm -f "$DB"
PORT=$($PY -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
export DEBUG=true DATABASE_URL="sqlite:///$DB" TASKS_BACKEND=django_tasks.backends.immediate.ImmediateBackend
export SYNC_RETRY_BACKOFF=30 ALLOWED_HOSTS='*'
$PY manage.py migrate -v 0
$PY manage.py seed_demo --site-url "http://127.0.0.1:$PORT" | sed 's/^/  seed: /'
$PY manage.py runserver "127.0.0.1:$PORT" --noreload >/tmp/bizunosync-waf-runserver.log 2>&1 &
SERVER=$!
trap 'kill $SERVER 2>/dev/null' EXIT
for _ in $(seq 100); do curl -s -o /dev/null "http://127.0.0.1:$PORT/" && break; sleep 0.1; done
$PY - "$PORT" <<'PY'
import os, subprocess, sys
sys.path.insert(0, ".")
from tests.support.modsec import waf_proxy

port = sys.argv[1]
def run(*args):
    done = subprocess.run([".venv/bin/python", "manage.py", *args], capture_output=True, text=True)
    print((done.stdout + done.stderr).strip(), f"(exit status {done.returncode})", sep="\n")

def connect(url, override):
    # the demo's own store login, kept encrypted; only the URL and the mode change here
    subprocess.run([".venv/bin/python", "manage.py", "shell", "-v", "0", "-c",
                    "from bizunosync.sync.connections import StoreConnection as S; c = S.load(); "
                    f"c.url = {url!r}; c.method_override = {override}; c.save()"], check=True)

with waf_proxy(f"http://127.0.0.1:{port}", paranoia=1) as proxy:
    print(f"== proxy {proxy} (Apache + ModSecurity + CRS, paranoia 1) -> store side on {port} ==")
    print("== 1) quick_refresh, plain PUT ==")
    connect(proxy, False)
    run("quick_refresh")
    print("CRS rules that fired:", sorted(proxy.rule_ids()))
    print("== 2) proxy-safe mode on: POST + X-HTTP-Method-Override: PUT ==")
    connect(proxy, True)
    run("quick_refresh")
PY

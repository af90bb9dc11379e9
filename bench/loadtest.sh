#!/usr/bin/env bash
# The voting-deadline load test (issue 7): Ortak under gunicorn on PostgreSQL, side by side
# with a bare Flask endpoint (the framework's ceiling), then across two app servers, then
# `flask audit-votes` to prove no vote was lost or doubled. Figures go to bench/RESULTS.md.
#
#   DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/bench bench/loadtest.sh
#
# The database must hold the national-scale campaign (`flask --app app bench-data`).
# Rate limits live in Redis (as with several servers in production); the login limits
# are raised because every virtual user signs in from this one address.
set -euo pipefail
cd "$(dirname "$0")/.."
: "${DATABASE_URL:?set DATABASE_URL to the PostgreSQL benchmark database}"
USERS=${USERS:-200}
DURATION=${DURATION:-60s}
OUT=${OUT:-bench/out}
BIN=.venv/bin
mkdir -p "$OUT"
export RATELIMIT_STORAGE_URI=${RATELIMIT_STORAGE_URI:-redis://127.0.0.1:6379/15}
export RATELIMIT_LOGIN_IP="100000 per minute" RATELIMIT_LOGIN_ACCOUNT="1000 per minute"
export SECRET_KEY=${SECRET_KEY:-load-test-secret-shared-by-every-server}
export BENCH_ORGS=${BENCH_ORGS:-5000}
pids=()
cleanup() { for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT

serve() { # port workers app
  WEB_CONCURRENCY=$2 BIND=127.0.0.1:$1 $BIN/gunicorn -c gunicorn.conf.py --access-logfile /dev/null "$3" \
    >"$OUT/gunicorn-$1.log" 2>&1 &
  pids+=($!)
}
wait_up() { for _ in $(seq 60); do curl -sf "http://127.0.0.1:$1$2" >/dev/null && return; sleep 0.5; done; echo "port $1 did not start"; exit 1; }
run() { # name host-or-hosts user-class
  echo "== $1: $USERS users for $DURATION"
  ORTAK_HOSTS=${4:-} $BIN/locust -f bench/locustfile.py --headless -u "$USERS" -r 50 -t "$DURATION" \
    --host "$2" --csv "$OUT/$1" --only-summary "$3" 2>&1 | tail -n 25
}

redis-cli -n 15 flushdb >/dev/null 2>&1 || true
before=$($BIN/flask --app app audit-votes ulusal-olcek | tail -n 1)
echo "Before: $before"

serve 8001 4 'app:create_app()'
serve 8003 4 'bench.bare_app:create_app()'
wait_up 8001 /healthz; wait_up 8003 /bare
run ortak http://127.0.0.1:8001 OrtakVoter
run bare http://127.0.0.1:8003 BareEndpoint
# Saturation, no pause between requests: the list page against the bare endpoint.
USERS=${FLAT_USERS:-50} run list-flat-out http://127.0.0.1:8001 ListPageFlatOut
USERS=${FLAT_USERS:-50} run bare-flat-out http://127.0.0.1:8003 BareFlatOut
cleanup; pids=()

# Two app servers, two workers each, users alternating between them: signed-cookie
# sessions and Redis-backed limits must make that invisible.
serve 8001 2 'app:create_app()'
serve 8002 2 'app:create_app()'
wait_up 8001 /healthz; wait_up 8002 /healthz
run two-servers http://127.0.0.1:8001 OrtakVoter http://127.0.0.1:8001,http://127.0.0.1:8002
cleanup; pids=()

echo "== audit-votes"
$BIN/flask --app app audit-votes ulusal-olcek | tail -n 1

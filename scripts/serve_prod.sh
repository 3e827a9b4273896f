#!/usr/bin/env bash
# The production layout on one machine (see docs/operations.md):
#   - PostgreSQL, Redis, Elasticsearch from scripts/services.sh (started if needed),
#   - config.settings.production, a generated SECRET_KEY kept in var/secret_key,
#   - migrations + collectstatic (whitenoise serves /static/ from static_collected/),
#   - N ASGI worker processes (gunicorn + uvicorn workers by default) on one port, HTTP + WebSocket,
#   - the task worker(s) (`manage.py db_worker`: e-mails, search indexing).
# Everything runs in the foreground; Ctrl+C (or SIGTERM) stops every process this script started.
#
#   scripts/serve_prod.sh                 serve on http://127.0.0.1:8000 (plain HTTP: SECURE_SSL_REDIRECT=false)
#   PORT=8100 WEB_CONCURRENCY=4 scripts/serve_prod.sh
#   SERVER=uvicorn scripts/serve_prod.sh  the other supervisors measured in docs/operations.md
#
# Variables (all optional): PORT, BIND (127.0.0.1), WEB_CONCURRENCY (worker processes, default: cores + 1),
# TASK_WORKERS (1), SERVER (gunicorn-uvicorn | gunicorn-asgi | uvicorn), LOAD_DEMO (1: load the demo content
# when the database has no page yet), SKIP_SERVICES (1: do not run scripts/services.sh; DATABASE_URL etc. must
# be set), and every setting of docs/operations.md (DATABASE_URL, REDIS_URL, ELASTICSEARCH_URL, ...), which win
# over the services' defaults when already set.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
PY="${PY:-$ROOT/.venv/bin/python}"
BIN="$(dirname "$PY")"
PORT="${PORT:-8000}"
BIND="${BIND:-127.0.0.1}"
CORES="$(nproc 2>/dev/null || echo 2)"
# One more process than cores: a process is often waiting (GIL handoffs, PostgreSQL, Redis, Elasticsearch) and
# the extra one uses that time (load_mixed run 11: reading p95 430–800 ms with 2 processes, 210–440 ms with 3).
WEB_CONCURRENCY="${WEB_CONCURRENCY:-$((CORES + 1))}"
TASK_WORKERS="${TASK_WORKERS:-1}"
SERVER="${SERVER:-gunicorn-uvicorn}"
LOAD_DEMO="${LOAD_DEMO:-1}"

log() { echo "[serve-prod] $*" >&2; }

# --- engines -----------------------------------------------------------------------------------------------
if [ "${SKIP_SERVICES:-0}" != "1" ]; then
  bash "$ROOT/scripts/services.sh" start
  # Variables already in the environment win (e.g. a dedicated DATABASE_URL for a load test).
  while IFS= read -r line; do
    assignment="${line#export }"
    name="${assignment%%=*}"
    if [ -z "${!name:-}" ]; then export "$assignment"; fi
  done < <(bash "$ROOT/scripts/services.sh" env)
fi
: "${DATABASE_URL:?DATABASE_URL is required (or let scripts/services.sh provide it)}"

# --- settings ----------------------------------------------------------------------------------------------
export DJANGO_SETTINGS_MODULE=config.settings.production
mkdir -p "$ROOT/var"
if [ -z "${SECRET_KEY:-}" ]; then
  # Generated once per checkout and kept out of git (var/ is ignored): sessions survive a restart.
  if [ ! -s "$ROOT/var/secret_key" ]; then
    (umask 077 && "$PY" -c "import secrets; print(secrets.token_urlsafe(64))" > "$ROOT/var/secret_key")
  fi
  SECRET_KEY="$(cat "$ROOT/var/secret_key")"
  export SECRET_KEY
fi
export SECURE_SSL_REDIRECT="${SECURE_SSL_REDIRECT:-false}"   # plain HTTP on this machine, no TLS proxy
export ALLOWED_HOSTS="${ALLOWED_HOSTS:-127.0.0.1,localhost}"
export SITE_URL="${SITE_URL:-http://localhost:$PORT}"
export DB_CONN_MAX_AGE="${DB_CONN_MAX_AGE:-0}"
export DB_POOL_MAX_SIZE="${DB_POOL_MAX_SIZE:-10}"   # per process: (WEB_CONCURRENCY + TASK_WORKERS) × 10 connections at most
export PYTHONUNBUFFERED=1

# --- database, static files, content ---------------------------------------------------------------------
"$PY" manage.py migrate --noinput
"$PY" manage.py collectstatic --noinput -v 0
if [ "$LOAD_DEMO" = "1" ] && [ "$("$PY" manage.py shell -c 'from core.models import HomePage; print(HomePage.objects.exists())' 2>/dev/null | tail -1)" != "True" ]; then
  log "empty database: loading the demo content"
  "$PY" manage.py load_demo
fi
"$PY" manage.py check --deploy --fail-level ERROR >/dev/null

# --- processes ---------------------------------------------------------------------------------------------
pids=()
cleanup() {
  trap - EXIT INT TERM
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  log "stopped"
}
trap cleanup EXIT INT TERM

for i in $(seq 1 "$TASK_WORKERS"); do
  "$PY" manage.py db_worker --interval 1 --no-reload --queue-name '*' --worker-id "serve-prod-$(hostname)-$i" -v 1 \
    >>"$ROOT/var/db_worker-$i.log" 2>&1 &
  pids+=($!)
done

# No access log: the client address is personal data and the load balancer keeps its own (docs/personal-data.md).
case "$SERVER" in
  gunicorn-uvicorn)
    "$BIN/gunicorn" config.asgi:application -k core.workers.AgoraUvicornWorker -w "$WEB_CONCURRENCY" \
      -b "$BIND:$PORT" --graceful-timeout 20 --timeout 60 --keep-alive 5 --no-control-socket --error-logfile - &
    ;;
  gunicorn-asgi)
    "$BIN/gunicorn" config.asgi:application -k asgi --asgi-lifespan off -w "$WEB_CONCURRENCY" \
      -b "$BIND:$PORT" --graceful-timeout 20 --timeout 60 --keep-alive 5 --no-control-socket --error-logfile - &
    ;;
  uvicorn)
    "$BIN/uvicorn" config.asgi:application --workers "$WEB_CONCURRENCY" --host "$BIND" --port "$PORT" \
      --lifespan off --no-access-log --timeout-graceful-shutdown 20 --ws-per-message-deflate false &
    ;;
  *) log "unknown SERVER=$SERVER (gunicorn-uvicorn | gunicorn-asgi | uvicorn)"; exit 2 ;;
esac
pids+=($!)
log "$SERVER, $WEB_CONCURRENCY worker process(es) on http://$BIND:$PORT/ + $TASK_WORKERS task worker(s) (logs: var/db_worker-*.log)"
wait -n "${pids[@]}" || true
log "a process exited: stopping the others"

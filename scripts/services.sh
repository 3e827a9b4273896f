#!/usr/bin/env bash
# Start the real engines on 127.0.0.1: PostgreSQL, Redis, Elasticsearch (a JVM node from Maven Central),
# and make sure Chromium exists. Idempotent: what already runs is left alone. Used by `make test-all`,
# `make bench` and `.ci/run`.
#
#   scripts/services.sh            install if missing, start, wait, print what runs
#   scripts/services.sh env        print the environment variables that point the app at them
#   scripts/services.sh stop       stop what this script started
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
STATE_DIR="${AGORA_STATE_DIR:-$HOME/.cache/agora}"
PG_PORT="${PG_PORT:-5432}"
REDIS_PORT="${REDIS_PORT:-6379}"
ES_PORT="${ELASTICSEARCH_PORT:-9200}"
DB_NAME="${DB_NAME:-agora}"
DB_USER="${DB_USER:-agora}"
DB_PASSWORD="${DB_PASSWORD:-agora}"
mkdir -p "$STATE_DIR"

log() { echo "[services] $*" >&2; }

apt_install() {
  # Install Debian packages that are missing (needs root; apt-get update once).
  local missing=()
  for pkg in "$@"; do dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg"); done
  [ ${#missing[@]} -eq 0 ] && return 0
  log "installing ${missing[*]}"
  if [ ! -f "$STATE_DIR/.apt-updated" ]; then apt-get update -qq >&2 && touch "$STATE_DIR/.apt-updated"; fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
}

wait_for() {  # wait_for <label> <seconds> <command...>
  local label=$1 seconds=$2; shift 2
  for _ in $(seq 1 "$seconds"); do "$@" >/dev/null 2>&1 && return 0; sleep 1; done
  log "$label did not answer within ${seconds}s"; return 1
}

start_postgres() {
  apt_install postgresql
  local version cluster
  version=$(ls /usr/lib/postgresql | sort -V | tail -1)
  cluster=main
  if ! pg_lsclusters -h | grep -q "^$version $cluster"; then pg_createcluster "$version" "$cluster" >&2; fi
  if ! pg_lsclusters -h | awk -v v="$version" '$1==v && $2=="main" {print $4}' | grep -q online; then
    # Loopback only; fsync off is fine for throwaway test clusters (never in production).
    {
      echo "listen_addresses = '127.0.0.1'"
      echo "port = $PG_PORT"
      echo "max_connections = 300"
      if [ "${AGORA_PG_FAST:-1}" = "1" ]; then
        echo "fsync = off"; echo "synchronous_commit = off"; echo "full_page_writes = off"
      fi
    } > "/etc/postgresql/$version/$cluster/conf.d/agora.conf"
    pg_ctlcluster "$version" "$cluster" start >&2
  fi
  wait_for postgresql 30 pg_isready -h 127.0.0.1 -p "$PG_PORT"
  su postgres -c "psql -p $PG_PORT -qtAc \"SELECT 1 FROM pg_roles WHERE rolname='$DB_USER'\"" | grep -q 1 ||
    su postgres -c "psql -p $PG_PORT -qc \"CREATE ROLE $DB_USER LOGIN SUPERUSER PASSWORD '$DB_PASSWORD'\"" >&2
  su postgres -c "psql -p $PG_PORT -qtAc \"SELECT 1 FROM pg_database WHERE datname='$DB_NAME'\"" | grep -q 1 ||
    su postgres -c "createdb -p $PG_PORT -O $DB_USER $DB_NAME" >&2
  log "postgresql $version on 127.0.0.1:$PG_PORT"
}

start_redis() {
  apt_install redis-server
  if ! redis-cli -h 127.0.0.1 -p "$REDIS_PORT" ping >/dev/null 2>&1; then
    redis-server --bind 127.0.0.1 --port "$REDIS_PORT" --daemonize yes --save "" --appendonly no \
      --pidfile "$STATE_DIR/redis.pid" --logfile "$STATE_DIR/redis.log" >&2
  fi
  wait_for redis 20 redis-cli -h 127.0.0.1 -p "$REDIS_PORT" ping
  log "redis $(redis-server --version | awk '{print $3}') on 127.0.0.1:$REDIS_PORT"
}

start_elasticsearch() {
  apt_install maven
  ELASTICSEARCH_PORT="$ES_PORT" AGORA_STATE_DIR="$STATE_DIR" bash "$HERE/elasticsearch/start.sh" >&2
}

ensure_chromium() {
  apt_install chromium fonts-dejavu-core
  log "$(/usr/bin/chromium --version 2>/dev/null || echo 'chromium missing')"
}

print_env() {
  echo "export DATABASE_URL=postgres://$DB_USER:$DB_PASSWORD@127.0.0.1:$PG_PORT/$DB_NAME"
  echo "export REDIS_URL=redis://127.0.0.1:$REDIS_PORT/0"
  echo "export ELASTICSEARCH_URL=http://127.0.0.1:$ES_PORT"
}

stop_all() {
  bash "$HERE/elasticsearch/stop.sh" || true
  redis-cli -h 127.0.0.1 -p "$REDIS_PORT" shutdown nosave >/dev/null 2>&1 || true
  for c in $(pg_lsclusters -h 2>/dev/null | awk '{print $1"/"$2}'); do pg_ctlcluster "${c%/*}" "${c#*/}" stop || true; done
}

case "${1:-start}" in
  env) print_env ;;
  stop) stop_all ;;
  start)
    start_postgres
    start_redis
    start_elasticsearch
    ensure_chromium
    log "all services up"
    ;;
  *) echo "usage: $0 [start|env|stop]" >&2; exit 2 ;;
esac

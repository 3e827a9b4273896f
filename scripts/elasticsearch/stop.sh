#!/usr/bin/env bash
# Stop the node started by scripts/elasticsearch/start.sh (by its pid file), waiting for it to exit.
set -euo pipefail

STATE="${AGORA_STATE_DIR:-$HOME/.cache/agora}/es"
PIDFILE="$STATE/es.pid"

if [[ ! -f "$PIDFILE" ]]; then
  echo "elasticsearch: not running (no $PIDFILE)"
  exit 0
fi
PID="$(cat "$PIDFILE")"
if ! kill -0 "$PID" 2>/dev/null; then
  echo "elasticsearch: not running (stale pid $PID)"
  rm -f "$PIDFILE"
  exit 0
fi

kill -TERM "$PID"
for _ in $(seq 1 60); do            # the shutdown hook closes the node (flushes shards)
  kill -0 "$PID" 2>/dev/null || { rm -f "$PIDFILE"; echo "elasticsearch: stopped (pid $PID)"; exit 0; }
  sleep 0.5
done
echo "elasticsearch: pid $PID still alive after 30 s, killing" >&2
kill -KILL "$PID" 2>/dev/null || true
for _ in $(seq 1 20); do
  kill -0 "$PID" 2>/dev/null || break
  sleep 0.25
done
rm -f "$PIDFILE"
echo "elasticsearch: killed (pid $PID)"

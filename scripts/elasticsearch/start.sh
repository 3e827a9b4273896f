#!/usr/bin/env bash
# Start a local, single-node Elasticsearch 8 on 127.0.0.1 (idempotent).
#
#   scripts/elasticsearch/start.sh        # prints one line with the running version
#   scripts/elasticsearch/stop.sh
#
# Everything comes from Maven Central: the server jar + transport-netty4 are fetched with mvn
# (cached in ~/.m2), a small launcher and two stand-in modules (analysis-common, rest-root; Elastic
# does not publish those) are compiled with javac. The assembled node lives in
# $AGORA_ES_CACHE (default ~/.cache/agora-es/<version>-<hash>), data and logs in
# $AGORA_STATE_DIR/es (default ~/.cache/agora/es). See docs/search-engines.md.
#
# Environment:
#   ELASTICSEARCH_PORT   HTTP port on 127.0.0.1 (default 9200); transport uses PORT+100
#   AGORA_STATE_DIR      state root (default ~/.cache/agora); node uses $AGORA_STATE_DIR/es
#   AGORA_ES_CACHE       where the assembled node is cached (default ~/.cache/agora-es)
#   ES_JAVA_HOME         JDK to run with (default: $JAVA_HOME, then `java` on PATH); Java >= 17
#   ES_HEAP_MIN/ES_HEAP_MAX  heap (default 512m / 1g);  ES_JAVA_OPTS  extra JVM options
#   ES_START_TIMEOUT     seconds to wait for yellow/green (default 120)
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
PORT="${ELASTICSEARCH_PORT:-9200}"
TRANSPORT_PORT="$((PORT + 100))"
STATE="${AGORA_STATE_DIR:-$HOME/.cache/agora}/es"
CACHE_ROOT="${AGORA_ES_CACHE:-$HOME/.cache/agora-es}"
TIMEOUT="${ES_START_TIMEOUT:-120}"
PIDFILE="$STATE/es.pid"
URL="http://127.0.0.1:$PORT"
ES_VERSION="$(sed -n 's:.*<es.version>\(.*\)</es.version>.*:\1:p' "$HERE/pom.xml")"

log() { echo "elasticsearch: $*" >&2; }

http_get() { # prints body, fails if no HTTP answer
  if command -v curl >/dev/null 2>&1; then
    curl -fsS -m 5 "$1" 2>/dev/null
  else
    python3 -c 'import sys,urllib.request;sys.stdout.write(urllib.request.urlopen(sys.argv[1],timeout=5).read().decode())' "$1" 2>/dev/null
  fi
}

json_field() { # json_field FIELD.PATH  (reads JSON on stdin)
  python3 -c 'import json,sys
d=json.load(sys.stdin)
for k in sys.argv[1].split("."): d=d[k]
print(d)' "$1"
}

health_ok() {
  local status
  status="$(http_get "$URL/_cluster/health" | json_field status 2>/dev/null)" || return 1
  [[ "$status" == "green" || "$status" == "yellow" ]]
}

announce() {
  local info
  info="$(http_get "$URL/")" || info='{}'
  local v l
  v="$(json_field version.number <<<"$info" 2>/dev/null || echo '?')"
  l="$(json_field version.lucene_version <<<"$info" 2>/dev/null || echo '?')"
  echo "Elasticsearch $v (Lucene $l) on $URL $*"
}

pid_alive() { [[ -f "$PIDFILE" ]] && kill -0 "$(cat "$PIDFILE")" 2>/dev/null; }

# --- 1. already running? ---------------------------------------------------------------------
if health_ok; then
  announce "(already running)"
  exit 0
fi

# one start.sh at a time (a concurrent one waits, then finds the node running)
mkdir -p "$CACHE_ROOT" "$STATE"
if command -v flock >/dev/null 2>&1; then
  exec 9>"$CACHE_ROOT/.lock"
  flock -w $((TIMEOUT + 300)) 9 || { log "timed out waiting for another start.sh"; exit 1; }
  if health_ok; then announce "(already running)"; exit 0; fi
fi

# --- 2. Java ----------------------------------------------------------------------------------
JAVA_DIR="${ES_JAVA_HOME:-${JAVA_HOME:-}}"
if [[ -n "$JAVA_DIR" ]]; then JAVA="$JAVA_DIR/bin/java"; JAVAC="$JAVA_DIR/bin/javac"; JAR="$JAVA_DIR/bin/jar"
else JAVA="$(command -v java)"; JAVAC="$(command -v javac)"; JAR="$(command -v jar)"; fi
for t in "$JAVA" "$JAVAC" "$JAR"; do
  [[ -x "$t" ]] || { log "need a JDK >= 17 (java, javac, jar); set ES_JAVA_HOME"; exit 1; }
done
JAVA_MAJOR="$("$JAVA" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p')"
if (( ${JAVA_MAJOR%%.*} < 17 )); then log "Java $JAVA_MAJOR is too old, Elasticsearch 8 needs >= 17"; exit 1; fi

# --- 3. fetch + assemble (cached, keyed on the version and on the files of this folder) -------
FINGERPRINT="$(cat "$HERE/pom.xml" "$HERE/start.sh" $(find "$HERE/src" "$HERE/config" -type f | sort) \
  | { sha256sum 2>/dev/null || shasum -a 256; } | cut -c1-12)"
DIST="$CACHE_ROOT/$ES_VERSION-$FINGERPRINT"

assemble() {
  command -v mvn >/dev/null 2>&1 || { log "need Maven (mvn) to fetch Elasticsearch from Maven Central"; exit 1; }
  local tmp="$DIST.tmp.$$"
  rm -rf "$tmp"; mkdir -p "$tmp/lib" "$tmp/modules/transport-netty4" "$tmp/build"
  log "fetching Elasticsearch $ES_VERSION from Maven Central (mvn, cached in ~/.m2) ..."
  mvn -B -q -f "$HERE/pom.xml" dependency:copy-dependencies \
      -DoutputDirectory="$tmp/lib" -DincludeScope=runtime >"$tmp/mvn.log" 2>&1 \
    || { cat "$tmp/mvn.log" >&2; log "mvn failed"; exit 1; }
  # transport-netty4 and its own dependencies form the module; the rest is the server.
  mv "$tmp"/lib/transport-netty4-*.jar "$tmp"/lib/netty-*.jar "$tmp"/lib/elasticsearch-ssl-config-*.jar \
     "$tmp/modules/transport-netty4/"
  (cd "$tmp/build" && "$JAR" xf "$tmp/modules/transport-netty4/transport-netty4-$ES_VERSION.jar" \
      META-INF/es-plugins/transport-netty4/plugin-descriptor.properties)
  mv "$tmp/build/META-INF/es-plugins/transport-netty4/plugin-descriptor.properties" "$tmp/modules/transport-netty4/"

  log "compiling launcher and stand-in modules ..."
  local cp; cp="$(find "$tmp/lib" -name '*.jar' | sort | tr '\n' ':')"
  "$JAVAC" -nowarn --release 17 -encoding UTF-8 -cp "$cp" -d "$tmp/build/launcher" \
    $(find "$HERE/src/launcher" -name '*.java')
  "$JAVAC" -nowarn --release 17 -encoding UTF-8 -cp "$cp" -d "$tmp/build/modules" \
    $(find "$HERE/src/modules" -name '*.java')
  "$JAR" cf "$tmp/agora-es-launcher.jar" -C "$tmp/build/launcher" .
  local name cls desc
  while IFS='|' read -r name cls desc; do
    mkdir -p "$tmp/modules/$name"
    "$JAR" cf "$tmp/modules/$name/agora-es-modules.jar" -C "$tmp/build/modules" .
    printf 'description=%s\nversion=%s\nname=%s\nclassname=%s\njava.version=17\nelasticsearch.version=%s\n' \
      "$desc" "$ES_VERSION" "$name" "$cls" "$ES_VERSION" > "$tmp/modules/$name/plugin-descriptor.properties"
  done <<EOF
agora-analysis-common|org.agora.es.AgoraAnalysisPlugin|Stand-in for analysis-common (see docs/search-engines.md)
agora-rest-root|org.agora.es.RestRootPlugin|Stand-in for rest-root: GET / and HEAD /
EOF
  rm -rf "$tmp/build" "$tmp/mvn.log"
  mkdir -p "$tmp/plugins"
  rm -rf "$DIST"; mv "$tmp" "$DIST"
  # drop builds of older versions/sources, unless a node of ours may still run from one
  if ! pid_alive; then
    find "$CACHE_ROOT" -mindepth 1 -maxdepth 1 -type d ! -path "$DIST" ! -name '*.tmp.*' -exec rm -rf {} +
  fi
}

if [[ ! -f "$DIST/agora-es-launcher.jar" ]]; then
  T0=$SECONDS
  mkdir -p "$CACHE_ROOT"
  assemble
  log "assembled in $((SECONDS - T0)) s: $DIST"
fi

# --- 4. a node of ours still booting? otherwise start one ------------------------------------
mkdir -p "$STATE/config" "$STATE/data" "$STATE/logs" "$STATE/tmp"
T0=$SECONDS
if pid_alive; then
  log "pid $(cat "$PIDFILE") is already starting, waiting for it"
else
  rm -f "$PIDFILE"
  cat > "$STATE/config/elasticsearch.yml" <<EOF
# Generated by scripts/elasticsearch/start.sh: edits are overwritten at the next start.
cluster.name: agora
node.name: agora-es
path.data: $STATE/data
path.logs: $STATE/logs
network.host: 127.0.0.1
http.port: $PORT
transport.port: $TRANSPORT_PORT
discovery.type: single-node
# A dev/CI machine's disk may be nearly full: never turn indices read-only because of it.
cluster.routing.allocation.disk.threshold_enabled: false
# Let tests delete indices by wildcard.
action.destructive_requires_name: false
EOF
  cp "$HERE/config/log4j2.properties" "$STATE/config/log4j2.properties"

  # shellcheck disable=SC2086
  (cd "$STATE" && exec setsid "$JAVA" \
      -Xms"${ES_HEAP_MIN:-512m}" -Xmx"${ES_HEAP_MAX:-1g}" \
      -XX:+UseG1GC -XX:+ExitOnOutOfMemoryError -XX:-OmitStackTraceInFastThrow \
      -Djava.io.tmpdir="$STATE/tmp" -Dfile.encoding=UTF-8 -Djava.awt.headless=true \
      -Djava.locale.providers=SPI,CLDR -Des.networkaddress.cache.ttl=60 \
      -Dio.netty.noUnsafe=true -Dio.netty.noKeySetOptimization=true -Dio.netty.recycler.maxCapacityPerThread=0 \
      -Dlog4j.shutdownHookEnabled=false -Dlog4j2.disable.jmx=true -Dlog4j2.formatMsgNoLookups=true \
      ${ES_JAVA_OPTS:-} \
      -Des.path.home="$DIST" -Des.path.conf="$STATE/config" \
      --module-path "$DIST/lib" --add-modules=ALL-MODULE-PATH \
      -cp "$DIST/agora-es-launcher.jar" org.agora.es.launcher.AgoraEsNode \
      >"$STATE/logs/stdout.log" 2>&1 </dev/null 9>&-) &
  echo $! > "$PIDFILE"
fi

# --- 5. wait for yellow/green -----------------------------------------------------------------
while (( SECONDS - T0 < TIMEOUT )); do
  if health_ok; then
    announce "(pid $(cat "$PIDFILE"), ready in $((SECONDS - T0)) s; logs: $STATE/logs)"
    exit 0
  fi
  if ! pid_alive; then
    log "the node exited during startup"
    break
  fi
  sleep 1
done
(( SECONDS - T0 < TIMEOUT )) || log "not yellow/green after ${TIMEOUT}s"
log "--- $STATE/logs/stdout.log (tail)"; tail -n 40 "$STATE/logs/stdout.log" >&2 2>/dev/null || true
log "--- $STATE/logs/agora.log (tail)"; tail -n 60 "$STATE/logs/agora.log" >&2 2>/dev/null || true
if pid_alive; then kill "$(cat "$PIDFILE")" 2>/dev/null || true; fi
rm -f "$PIDFILE"
exit 1

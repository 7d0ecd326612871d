#!/usr/bin/env bash
# Single-node Elasticsearch 8 without Docker.
#
#   .ci/services/elasticsearch.sh start|stop|kill|restart|status|logs
#
# The server is Elastic's integ-test-zip distribution, resolved by `mvn` from coordinates
# (see elasticsearch/pom.xml) into a cache outside the repository, run on the machine's JDK.
# Elasticsearch refuses to run as root: as root the script runs it as the system user
# `elasticsearch` (created if missing). Data and logs live in the cache, so stop + start keeps
# indices. See .ci/services/README.md for the environment variables and for what the
# integ-test-zip lacks (analysis-common, painless, reindex/_delete_by_query, GET /).
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
CACHE="${MARKET_SERVICES_CACHE:-${HOME:-/root}/.cache/market-services}"
ES_VERSION="${ELASTICSEARCH_VERSION:-8.19.21}"
ES_HOST=127.0.0.1
ES_PORT="${ELASTICSEARCH_PORT:-9200}"
ES_TRANSPORT_PORT="${ELASTICSEARCH_TRANSPORT_PORT:-$((ES_PORT + 100))}"
ES_HEAP="${ELASTICSEARCH_HEAP:-512m}"
# C1-only JIT and no heap pre-touch: about half the start time on a busy 2-core machine, and
# plenty for test-sized indices. ELASTICSEARCH_JAVA_OPTS="" gives the stock JVM flags back.
ES_EXTRA_JAVA_OPTS="${ELASTICSEARCH_JAVA_OPTS--XX:TieredStopAtLevel=1 -XX:-AlwaysPreTouch}"
ES_START_TIMEOUT="${ELASTICSEARCH_START_TIMEOUT:-180}"
ES_STOP_TIMEOUT="${ELASTICSEARCH_STOP_TIMEOUT:-60}"
ES_USER="${ELASTICSEARCH_USER:-elasticsearch}"
DIST="$CACHE/elasticsearch-$ES_VERSION"
if [[ "$ES_PORT" == 9200 ]]; then RUN_DEFAULT="$CACHE/es-run"; else RUN_DEFAULT="$CACHE/es-run-$ES_PORT"; fi
RUN="${ELASTICSEARCH_RUN_DIR:-$RUN_DEFAULT}"
CONF="$RUN/config"
DATA="$RUN/data"
LOGS="$RUN/logs"
PIDFILE="$RUN/es.pid"
URL="http://$ES_HOST:$ES_PORT"
CLUSTER_NAME=market-ci

SERVICE=elasticsearch SERVICE_HOST="$ES_HOST" SERVICE_PORT="$ES_PORT" SERVICE_ADDRESS="$URL" STOP_TIMEOUT="$ES_STOP_TIMEOUT"
PROCESS_PATTERN='org\.elasticsearch\.bootstrap\.Elasticsearch' LOCKFILE="$CACHE/.es-run-$ES_PORT.lock"
LOG_FILES=("$LOGS/$CLUSTER_NAME.log" "$LOGS/stdout.log")
# shellcheck source=common.sh
source "$HERE/common.sh"

is_root() { [[ "$(id -u)" == 0 ]]; }

java_home() {
  if [[ -n "${ES_JAVA_HOME:-}" ]]; then echo "$ES_JAVA_HOME"; return; fi
  if [[ -n "${JAVA_HOME:-}" && -x "$JAVA_HOME/bin/java" ]]; then echo "$JAVA_HOME"; return; fi
  local j
  j="$(command -v java)" || { log "no java on PATH (set ES_JAVA_HOME or JAVA_HOME)"; exit 1; }
  j="$(readlink -f "$j")"
  dirname "$(dirname "$j")"
}

healthy() {
  curl -fsS --max-time 15 "$URL/_cluster/health?wait_for_status=yellow&timeout=${1:-1s}" >/dev/null 2>&1
}

install() {
  [[ -f "$DIST/.complete" ]] && return 0
  command -v mvn >/dev/null || { log "mvn not found (needed to resolve the integ-test-zip)"; exit 1; }
  log "resolving org.elasticsearch.distribution.integ-test-zip:elasticsearch:$ES_VERSION:zip with mvn ..."
  local t0=$SECONDS tmp="$CACHE/.es-download.$$"
  rm -rf "$tmp" && mkdir -p "$tmp"
  cp "$HERE/elasticsearch/pom.xml" "$tmp/pom.xml"
  # shellcheck disable=SC2086
  if ! (cd "$tmp" && mvn -B -q ${MARKET_SERVICES_MVN_ARGS:-} -Des.version="$ES_VERSION" \
        dependency:copy-dependencies -DoutputDirectory="$tmp/zip" >"$tmp/mvn.log" 2>&1); then
    tail -n 100 "$tmp/mvn.log" >&2
    log "mvn failed to resolve Elasticsearch $ES_VERSION"
    exit 1
  fi
  local zip
  zip="$(ls "$tmp"/zip/elasticsearch-"$ES_VERSION".zip)"
  log "unpacking $(du -h "$zip" | cut -f1) zip"
  mkdir -p "$tmp/unpacked"
  if command -v unzip >/dev/null; then
    unzip -q "$zip" -d "$tmp/unpacked"
  else
    # the JDK's jar tool drops the executable bits: put them back on the launch scripts
    (cd "$tmp/unpacked" && jar xf "$zip")
    chmod -R a+rX "$tmp/unpacked"
    chmod a+x "$tmp/unpacked/elasticsearch-$ES_VERSION/bin/"*
  fi
  rm -rf "$DIST"
  mv "$tmp/unpacked/elasticsearch-$ES_VERSION" "$DIST"
  rm -rf "$tmp"
  chmod -R a+rX "$DIST"
  touch "$DIST/.complete"
  log "installed Elasticsearch $ES_VERSION into $DIST in $((SECONDS - t0))s (modules: $(cd "$DIST/modules" && echo *))"
}

ensure_user() {
  # Elasticsearch will not start as root; a dedicated system user runs it instead.
  is_root || return 0
  if ! id "$ES_USER" >/dev/null 2>&1; then
    log "creating system user $ES_USER"
    useradd --system --user-group --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin "$ES_USER"
  fi
  # The user must be able to reach the cache (e.g. /root is 0700): grant search (x) only,
  # through an ACL where setfacl exists, otherwise o+x, on each ancestor that lacks it.
  local d="" part
  local -a parts
  IFS=/ read -r -a parts <<<"$(readlink -f "$CACHE")"
  for part in "${parts[@]}"; do
    [[ -n "$part" ]] || continue
    d="$d/$part"
    if ! runuser -u "$ES_USER" -- test -x "$d" 2>/dev/null; then
      if command -v setfacl >/dev/null && setfacl -m "u:$ES_USER:x" "$d" 2>/dev/null; then
        log "granted $ES_USER search permission on $d (ACL)"
      else
        chmod o+x "$d"
        log "granted search-only permission (o+x) on $d so $ES_USER can reach $CACHE"
      fi
    fi
  done
}

module_present() { [[ -d "$DIST/modules/$1" ]]; }

write_config() {
  mkdir -p "$CONF/jvm.options.d" "$DATA" "$LOGS" "$RUN/tmp"
  local f
  for f in jvm.options log4j2.properties roles.yml role_mapping.yml users users_roles; do
    [[ -e "$CONF/$f" || ! -e "$DIST/config/$f" ]] || cp "$DIST/config/$f" "$CONF/$f"
  done
  {
    echo "# generated by .ci/services/elasticsearch.sh on every start"
    echo "cluster.name: $CLUSTER_NAME"
    echo "node.name: ci-node"
    echo "path.data: $DATA"
    echo "path.logs: $LOGS"
    echo "network.host: $ES_HOST"
    echo "http.port: $ES_PORT"
    echo "transport.port: $ES_TRANSPORT_PORT"
    echo "discovery.type: single-node"
    echo "bootstrap.memory_lock: false"
    echo "cluster.routing.allocation.disk.threshold_enabled: false"
    echo "action.destructive_requires_name: false"
    # settings of modules the integ-test-zip may not ship: an unknown setting is fatal
    if module_present x-pack-security; then echo "xpack.security.enabled: false"; fi
    if module_present ingest-geoip; then echo "ingest.geoip.downloader.enabled: false"; fi
    if module_present x-pack-ml; then echo "xpack.ml.enabled: false"; fi
    if module_present x-pack-monitoring; then echo "xpack.monitoring.collection.enabled: false"; fi
    if module_present x-pack-watcher; then echo "xpack.watcher.enabled: false"; fi
  } >"$CONF/elasticsearch.yml"
  {
    echo "-Xms$ES_HEAP"
    echo "-Xmx$ES_HEAP"
  } >"$CONF/jvm.options.d/ci.options"
  if is_root; then chown -R "$ES_USER:$ES_USER" "$RUN"; fi
}

service_ready() { healthy; }

print_env() { echo "ELASTICSEARCH_URL=$URL"; }

print_ready() {
  log "ready (Elasticsearch $ES_VERSION, pid $1)"
  print_env
}

do_start() {
  local pid started=""
  if pid="$(running_pid)"; then
    if healthy; then print_ready "$pid"; return 0; fi
    log "process $pid is running but $URL is not healthy yet; waiting"
  else
    if port_open "$ES_HOST" "$ES_PORT"; then
      log "port $ES_HOST:$ES_PORT is taken by a process this script did not start"
      exit 1
    fi
    install
    ensure_user
    write_config
    rm -f "$PIDFILE"
    local jh
    jh="$(java_home)"
    started=$SECONDS
    log "starting Elasticsearch $ES_VERSION on $URL (java $jh, heap $ES_HEAP, data $DATA)"
    echo "===== $(date -u +%FT%TZ) start =====" >>"$LOGS/stdout.log"
    local -a as_user=()
    if is_root; then as_user=(runuser -u "$ES_USER" --); fi
    # -d: the launcher forks the server JVM, which writes its pid to $PIDFILE, and exits once the
    # node has started (or failed); it runs detached so this script can time it out itself.
    (
      ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
      exec setsid nohup "${as_user[@]}" env ES_JAVA_HOME="$jh" ES_PATH_CONF="$CONF" ES_TMPDIR="$RUN/tmp" \
        ES_JAVA_OPTS="$ES_EXTRA_JAVA_OPTS" \
        CLI_JAVA_OPTS="-XX:TieredStopAtLevel=1 -XX:+UseSerialGC" "$DIST/bin/elasticsearch" -d -p "$PIDFILE" \
        >>"$LOGS/stdout.log" 2>&1 </dev/null 9>&-
    ) &
    LAUNCHER=$!
    if is_root; then chown "$ES_USER:$ES_USER" "$LOGS/stdout.log"; fi
  fi
  local deadline=$((SECONDS + ES_START_TIMEOUT))
  until healthy 2s; do
    if ((SECONDS >= deadline)); then
      show_logs
      log "not healthy after ${ES_START_TIMEOUT}s (left running; \`$0 stop\` to stop it)"
      exit 1
    fi
    if [[ -n "${LAUNCHER:-}" ]] && ! kill -0 "$LAUNCHER" 2>/dev/null; then
      # the launcher has finished: from now on the server process must be alive
      local rc=0
      wait "$LAUNCHER" || rc=$?
      LAUNCHER=""
      if ((rc != 0)) || ! running_pid >/dev/null; then
        show_logs
        log "failed to start (launcher exit code $rc)"
        exit 1
      fi
    elif [[ -z "${LAUNCHER:-}" ]] && ! running_pid >/dev/null; then
      show_logs
      log "server process exited during start-up"
      exit 1
    fi
    sleep 1
  done
  pid="$(running_pid || echo '?')"
  [[ -n "$started" ]] && log "started in $((SECONDS - started))s"
  print_ready "$pid"
}

main "$@"

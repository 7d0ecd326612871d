# Shared by kafka.sh and elasticsearch.sh: sourced, never run. What a service script defines first:
#   SERVICE          name in log lines ([kafka] ...)
#   SERVICE_HOST, SERVICE_PORT  where the server listens
#   SERVICE_ADDRESS  how clients reach it, for messages (127.0.0.1:9092, http://127.0.0.1:9200)
#   PIDFILE          the server's pid
#   PROCESS_PATTERN  regex its /proc/<pid>/cmdline must match (a recycled pid is not the server)
#   STOP_TIMEOUT     seconds a SIGTERM gets before SIGKILL
#   LOCKFILE         serializes start/stop of one instance
#   LOG_FILES        array of the log files `logs` and failures show
#   RUN              the instance's directory
# and the functions install, do_start, service_ready (is it answering?) and print_env (its NAME=value line).

log() { printf '[%s] %s\n' "$SERVICE" "$*" >&2; }

port_open() { (exec 3<>"/dev/tcp/$1/$2") 2>/dev/null; }

running_pid() {
  # Prints the server's pid when the pid file points at a live process of this service.
  [[ -f "$PIDFILE" ]] || return 1
  local pid
  pid="$(cat "$PIDFILE" 2>/dev/null || true)"
  [[ "$pid" =~ ^[0-9]+$ ]] || return 1
  kill -0 "$pid" 2>/dev/null || return 1
  tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q "$PROCESS_PATTERN" || return 1
  echo "$pid"
}

show_logs() {
  local f
  for f in "${LOG_FILES[@]}"; do
    if [[ -s "$f" ]]; then
      echo "----- last 100 lines of $f -----" >&2
      tail -n 100 "$f" >&2
    fi
  done
}

do_stop() {
  local sig="${1:-TERM}" pid
  if ! pid="$(running_pid)"; then
    rm -f "$PIDFILE" 2>/dev/null || true
    log "not running"
    return 0
  fi
  log "stopping pid $pid with SIG$sig"
  kill "-$sig" "$pid" 2>/dev/null || true
  local deadline=$((SECONDS + STOP_TIMEOUT))
  while kill -0 "$pid" 2>/dev/null; do
    if ((SECONDS >= deadline)); then
      log "still alive after ${STOP_TIMEOUT}s; sending SIGKILL"
      kill -KILL "$pid" 2>/dev/null || true
      deadline=$((SECONDS + 10))
    fi
    sleep 0.2
  done
  rm -f "$PIDFILE" 2>/dev/null || true
  # the listener must be free before a restart binds it again
  for _ in $(seq 1 50); do port_open "$SERVICE_HOST" "$SERVICE_PORT" || break; sleep 0.2; done
  log "stopped"
}

do_status() {
  local pid
  if pid="$(running_pid)"; then
    if service_ready; then
      log "running (pid $pid) on $SERVICE_ADDRESS"
      print_env
      return 0
    fi
    log "process $pid is alive but $SERVICE_ADDRESS is not answering"
    return 1
  fi
  log "not running"
  return 3
}

with_lock() {
  mkdir -p "$RUN"
  exec 9>"$LOCKFILE"
  flock -w 300 9 || { log "could not take $LOCKFILE"; exit 1; }
  "$@"
}

main() {
  case "${1:-}" in
    start) with_lock do_start ;;
    stop) with_lock do_stop TERM ;;
    kill) with_lock do_stop KILL ;;
    restart) with_lock do_stop TERM; with_lock do_start ;;
    status) do_status ;;
    logs) show_logs 2>&1 ;;
    install) mkdir -p "$CACHE"; install ;;
    *)
      echo "usage: $0 start|stop|kill|restart|status|logs|install" >&2
      exit 2
      ;;
  esac
}

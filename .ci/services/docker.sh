#!/usr/bin/env bash
# A private Docker engine for the instances runtime's tests, without touching the machine's network.
#
#   export $(bash .ci/services/docker.sh start)    # prints DOCKER_HOST=unix://<run dir>/docker.sock
#   bash .ci/services/docker.sh stop|status|logs
#
# Debian's docker.io (dockerd 20.10 with its containerd and runc) runs as root with its own data and
# exec roots and socket under DOCKER_RUN_DIR, no bridge and no iptables rules, so it can neither
# clash with another engine on the machine nor change the host's firewall. Containers therefore use
# the host's network (the instances runtime's INSTANCE_DOCKER_NETWORK=host). No registry is reachable:
# images are built locally FROM scratch, e.g. from busybox-static, which this script installs too.
set -euo pipefail

RUN="${DOCKER_RUN_DIR:-${TMPDIR:-/tmp}/market-docker}"
SOCK="$RUN/docker.sock"
PIDFILE="$RUN/dockerd.pid"
LOG="$RUN/dockerd.log"
START_TIMEOUT="${DOCKER_START_TIMEOUT:-60}"
STOP_TIMEOUT="${DOCKER_STOP_TIMEOUT:-30}"

log() { printf '[docker] %s\n' "$*" >&2; }

running_pid() {
  [[ -f "$PIDFILE" ]] || return 1
  local pid
  pid="$(cat "$PIDFILE" 2>/dev/null || true)"
  [[ "$pid" =~ ^[0-9]+$ ]] && kill -0 "$pid" 2>/dev/null || return 1
  tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q dockerd || return 1
  echo "$pid"
}

answers() { curl -fsS --max-time 2 --unix-socket "$SOCK" http://docker/_ping >/dev/null 2>&1; }

install() {
  local missing=()
  command -v dockerd >/dev/null 2>&1 || missing+=(docker.io)
  dpkg -s busybox-static >/dev/null 2>&1 || missing+=(busybox-static)
  ((${#missing[@]} == 0)) && return 0
  [[ "$(id -u)" == 0 ]] || { log "needs root to install ${missing[*]}"; exit 1; }
  log "installing ${missing[*]} with apt-get"
  # policy-rc.d keeps the package from starting the machine-wide daemon it ships with.
  (apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null 2>&1 ||
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null)) || {
    log "apt-get could not install ${missing[*]}"; exit 1; }
}

do_start() {
  local pid
  if pid="$(running_pid)" && answers; then echo "DOCKER_HOST=unix://$SOCK"; return 0; fi
  [[ "$(id -u)" == 0 ]] || { log "dockerd must run as root"; exit 1; }
  install
  mkdir -p "$RUN/data" "$RUN/exec"
  local t0=$SECONDS
  log "starting dockerd (data $RUN/data, socket $SOCK)"
  rm -f "$SOCK"
  setsid nohup dockerd --data-root "$RUN/data" --exec-root "$RUN/exec" --pidfile "$PIDFILE" \
    -H "unix://$SOCK" --bridge=none --iptables=false --ip6tables=false --ip-masq=false \
    --log-level=warn >>"$LOG" 2>&1 </dev/null &
  until answers; do
    if ((SECONDS - t0 > START_TIMEOUT)); then tail -n 50 "$LOG" >&2; log "not answering after ${START_TIMEOUT}s"; exit 1; fi
    sleep 0.2
  done
  log "ready in $((SECONDS - t0))s"
  echo "DOCKER_HOST=unix://$SOCK"
}

do_stop() {
  local pid
  if ! pid="$(running_pid)"; then log "not running"; return 0; fi
  # Containers left by a failed test go with the engine (their data root is this run's).
  if answers; then
    local ids
    ids="$(curl -fsS --unix-socket "$SOCK" 'http://docker/containers/json?all=1' | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.parse(s).map(c=>c.Id).join(" ")))' || true)"
    for id in $ids; do curl -fsS -X DELETE --unix-socket "$SOCK" "http://docker/containers/$id?force=1" >/dev/null || true; done
  fi
  kill -TERM "$pid" 2>/dev/null || true
  local deadline=$((SECONDS + STOP_TIMEOUT))
  while kill -0 "$pid" 2>/dev/null; do
    if ((SECONDS >= deadline)); then log "still alive after ${STOP_TIMEOUT}s; SIGKILL"; kill -KILL "$pid" 2>/dev/null || true; fi
    sleep 0.2
  done
  rm -f "$PIDFILE" "$SOCK"
  # dockerd can leave mounts below its roots (a network namespace, its data root) behind.
  awk -v run="$RUN/" 'index($2, run) == 1 { print $2 }' /proc/mounts | sort -r | while read -r m; do umount -l "$m" 2>/dev/null || true; done
  log "stopped"
}

case "${1:-}" in
  start) do_start ;;
  stop) do_stop ;;
  status) if running_pid >/dev/null && answers; then echo "DOCKER_HOST=unix://$SOCK"; else log "not running"; exit 3; fi ;;
  logs) tail -n 100 "$LOG" ;;
  install) install ;;
  *) echo "usage: $0 start|stop|status|logs|install" >&2; exit 2 ;;
esac

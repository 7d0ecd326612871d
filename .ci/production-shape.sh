#!/usr/bin/env bash
# CI phase: the production shape, for real. Every subgraph and the gateway run as their own process
# with NODE_ENV=production, configured only from their .env.example plus the service URLs and
# secrets made here, against the machine's PostgreSQL and Redis and the Kafka and Elasticsearch that
# .ci/services started; then .ci/production-smoke.ts drives them through the gateway.
#
#   export $(bash .ci/services/kafka.sh start) $(bash .ci/services/elasticsearch.sh start)
#   bash .ci/production-shape.sh
#
# Environment: KAFKA_BROKERS and ELASTICSEARCH_URL (required), POSTGRES_URL (the server's admin URL,
# default postgres://postgres@127.0.0.1:5432/postgres), REDIS_URL (redis://127.0.0.1:6379),
# PRODUCTION_SHAPE_PORT (5100: the gateway; subgraphs on the next six ports), SKIP_BUILD=1 to reuse dist.
# Logs stay in a temporary directory (printed at the end); on failure the tail of each is printed.
set -euo pipefail
# Job control: every service started in the background gets a process group of its own.
set -m
cd "$(dirname "$0")/.."
started=$SECONDS
say() { printf '[production-shape %ss] %s\n' "$((SECONDS - started))" "$*"; }

: "${KAFKA_BROKERS:?KAFKA_BROKERS is required: export \$(bash .ci/services/kafka.sh start)}"
: "${ELASTICSEARCH_URL:?ELASTICSEARCH_URL is required: export \$(bash .ci/services/elasticsearch.sh start)}"
POSTGRES_URL="${POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/postgres}"
REDIS_URL="${REDIS_URL:-redis://127.0.0.1:6379}"
BASE_PORT="${PRODUCTION_SHAPE_PORT:-5100}"
SUBGRAPHS=(accounts listings bookings messaging engagement instances)

# One name for everything this run creates in the shared services, so runs never see each other's
# data and everything is removed afterwards: databases, Kafka topics and groups, indices, Redis keys.
RUN="ps$(date +%s)$$"
LOGS="$(mktemp -d "${TMPDIR:-/tmp}/market-production-shape.XXXXXX")"
declare -A PIDS=()
status=0

db_url() { # <domain> → the URL of this run's database for it, on the POSTGRES_URL server
  node -e 'const u = new URL(process.argv[1]); u.pathname = "/" + process.argv[2]; console.log(u.toString())' "$POSTGRES_URL" "${RUN}_$1"
}

env_example() { # <file> → its variables as NUL-separated NAME=value, parsed as dotenv (Node's parser)
  node -e 'const e = require("node:util").parseEnv(require("node:fs").readFileSync(process.argv[1], "utf8"));
    for (const [k, v] of Object.entries(e)) process.stdout.write(`${k}=${v}\0`);' "$1"
}

start_process() { # <name> <workspace dir> <overrides...>: npm run start:prod in a clean environment
  local name=$1 dir=$2; shift 2
  local vars=()
  mapfile -d '' vars < <(env_example "$dir/.env.example")
  # env -i: nothing from this shell leaks in; later assignments (the overrides) win over .env.example.
  # Job control (set -m above) gives each its own process group, whose id is npm's pid.
  env -i PATH="$PATH" HOME="${HOME:-/tmp}" "${vars[@]}" NODE_ENV=production "$@" \
    npm run start:prod --silent -w "@market/$name" >"$LOGS/$name.log" 2>&1 &
  PIDS[$name]=$!
  disown # no job notices in the output; stop_processes waits on the process group instead
}

wait_ready() { # <name> <port> <timeout s>
  local name=$1 port=$2 deadline=$((SECONDS + $3))
  until curl -fsS -o /dev/null "http://127.0.0.1:$port/readyz" 2>/dev/null; do
    if ! kill -0 "${PIDS[$name]}" 2>/dev/null; then say "$name exited before it was ready"; return 1; fi
    if ((SECONDS > deadline)); then say "$name was not ready on :$port within $3 s"; return 1; fi
    sleep 0.5
  done
  say "$name ready on :$port"
}

stop_processes() {
  # SIGTERM to each process group: npm 11 does not forward signals to the script it runs (it exits
  # and leaves the service running), so the service must get the signal itself, once.
  # A service still running 20 s later is killed, and the phase fails.
  local name pid deadline t0
  t0=$SECONDS
  for name in "${!PIDS[@]}"; do kill -TERM -- "-${PIDS[$name]}" 2>/dev/null || true; done
  for name in gateway "${SUBGRAPHS[@]}"; do
    pid=${PIDS[$name]:-}
    [[ -n "$pid" ]] || continue
    deadline=$((t0 + 20))
    while kill -0 -- "-$pid" 2>/dev/null && ((SECONDS < deadline)); do sleep 0.2; done
    if kill -0 -- "-$pid" 2>/dev/null; then
      say "$name did not stop within 20 s of SIGTERM; killing it"
      kill -KILL -- "-$pid" 2>/dev/null || true
      status=1
    else
      say "$name stopped ($((SECONDS - t0)) s after SIGTERM)"
    fi
  done
  PIDS=()
}

cleanup() {
  local rc=$? name
  ((rc == 0)) || status=$rc
  stop_processes
  # What this run left in the shared services goes with it.
  node -e '
    const { Client } = require("pg");
    const [serverUrl, run] = process.argv.slice(1);
    const c = new Client({ connectionString: serverUrl });
    c.connect()
      .then(() => c.query("SELECT datname FROM pg_database WHERE datname LIKE $1", [run + "\\_%"]))
      .then(async ({ rows }) => { for (const r of rows) await c.query(`DROP DATABASE IF EXISTS "${r.datname}" WITH (FORCE)`); })
      .finally(() => c.end());
  ' "$POSTGRES_URL" "$RUN" || say "could not drop this run's databases"
  say "databases dropped"
  node -e '
    const { Kafka, logLevel } = require("kafkajs");
    const admin = new Kafka({ brokers: process.argv[1].split(","), logLevel: logLevel.NOTHING }).admin();
    (async () => {
      await admin.connect();
      const topics = (await admin.listTopics()).filter((t) => t.startsWith(process.argv[2] + "."));
      if (topics.length) await admin.deleteTopics({ topics });
      // Empty groups expire on the broker by themselves (offsets.retention.minutes).
    })().finally(() => admin.disconnect());
  ' "$KAFKA_BROKERS" "market-$RUN" || say "could not delete this run's Kafka topics"
  say "topics deleted"
  curl -fsS -o /dev/null -X DELETE "$ELASTICSEARCH_URL/$RUN-*" || say "could not delete this run's indices"
  redis-cli -u "$REDIS_URL" --scan --pattern "$RUN:*" | xargs -r redis-cli -u "$REDIS_URL" unlink >/dev/null || true
  if ((status != 0)); then
    for name in "${SUBGRAPHS[@]}" gateway; do
      [[ -f "$LOGS/$name.log" ]] || continue
      echo "----- last 60 lines of $LOGS/$name.log -----"
      tail -n 60 "$LOGS/$name.log"
    done
  fi
  say "done in $((SECONDS - started)) s (exit $status); logs in $LOGS"
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

if [[ "${SKIP_BUILD:-}" != 1 ]]; then
  say "build"
  npm run build -- --output-logs=errors-only >"$LOGS/build.log" 2>&1 || { cat "$LOGS/build.log"; exit 1; }
fi

say "secrets"
SIGNING_SECRET="$(openssl rand -hex 32)"
JWT_PRIVATE_KEY="$(openssl genpkey -algorithm ed25519)"
JWT_PUBLIC_KEY="$(openssl pkey -pubout <<<"$JWT_PRIVATE_KEY")"

say "databases and migrations (run $RUN)"
migrate_env=()
for d in "${SUBGRAPHS[@]}"; do migrate_env+=("${d^^}_DATABASE_URL=$(db_url "$d")"); done
# Only <DOMAIN>_DATABASE_URL, as docker-compose's migrate job: db:migrate creates the databases itself.
env -i PATH="$PATH" HOME="${HOME:-/tmp}" "${migrate_env[@]}" npm run --silent db:migrate >"$LOGS/migrate.log" 2>&1 \
  || { cat "$LOGS/migrate.log"; exit 1; }
grep -E '^\[[0-9]/' "$LOGS/migrate.log" || true

start_subgraph() { # <index in SUBGRAPHS>
  local i=$1 d=${SUBGRAPHS[$1]} port=$((BASE_PORT + 1 + $1)) extra=()
  case $d in
    accounts) extra=(JWT_PRIVATE_KEY="$JWT_PRIVATE_KEY" DATA_DIR="$LOGS/data") ;;
    listings) extra=(ELASTICSEARCH_URL="$ELASTICSEARCH_URL" ELASTICSEARCH_INDEX_PREFIX="$RUN-") ;;
    # With an engine (.ci/run starts one), the instances service runs machines with an image as containers.
    instances) extra=(DATA_DIR="$LOGS/data")
      [[ -n "${DOCKER_HOST:-}" ]] && extra+=(INSTANCE_RUNTIME=docker DOCKER_HOST="$DOCKER_HOST" INSTANCE_DOCKER_NETWORK=host) ;;
  esac
  # The service URLs, the shared secret, and this run's namespaces in the shared Kafka and Redis.
  start_process "$d" "subgraphs/$d" PORT="$port" HOST=127.0.0.1 \
    DATABASE_URL="$(db_url "$d")" REDIS_URL="$REDIS_URL" REDIS_KEY_PREFIX="$RUN:$d:" \
    KAFKA_BROKERS="$KAFKA_BROKERS" KAFKA_TOPIC_PREFIX="market-$RUN" \
    GATEWAY_SIGNING_SECRET="$SIGNING_SECRET" "${extra[@]}"
}

say "subgraphs"
GATEWAY_URLS=()
for i in "${!SUBGRAPHS[@]}"; do
  start_subgraph "$i"
  GATEWAY_URLS+=("${SUBGRAPHS[$i]^^}_URL=http://127.0.0.1:$((BASE_PORT + 1 + i))/graphql")
done
for i in "${!SUBGRAPHS[@]}"; do wait_ready "${SUBGRAPHS[$i]}" $((BASE_PORT + 1 + i)) 90; done

say "gateway"
start_process gateway gateway PORT="$BASE_PORT" HOST=127.0.0.1 \
  GATEWAY_SIGNING_SECRET="$SIGNING_SECRET" JWT_PUBLIC_KEY="$JWT_PUBLIC_KEY" REDIS_URL="$REDIS_URL" "${GATEWAY_URLS[@]}"
wait_ready gateway "$BASE_PORT" 60

say "smoke test"
GATEWAY_URL="http://127.0.0.1:$BASE_PORT/graphql" ACCOUNTS_DATABASE_URL="$(db_url accounts)" \
  node -r @swc-node/register .ci/production-smoke.ts || status=$?

# Restart drill: SIGTERM one subgraph (it drains, its consumers leave their Kafka group) and start it
# again; ready means /readyz answers 200, which waits for the consumer group's join. Before the host,
# the new process waited out the broker's 30 s session timeout of the old members.
say "restart drill: bookings"
bookings_index=2
[[ "${SUBGRAPHS[$bookings_index]}" == bookings ]] || { say "SUBGRAPHS changed: fix bookings_index"; exit 1; }
pid=${PIDS[bookings]}
t0=$(date +%s%N)
kill -TERM -- "-$pid" 2>/dev/null || true
while kill -0 -- "-$pid" 2>/dev/null; do sleep 0.1; done
t1=$(date +%s%N)
mv "$LOGS/bookings.log" "$LOGS/bookings.before-restart.log"
start_subgraph "$bookings_index"
wait_ready bookings $((BASE_PORT + 1 + bookings_index)) 60
t2=$(date +%s%N)
say "bookings drained and exited in $(( (t1 - t0) / 1000000 )) ms; the new process was ready (Kafka group joined) $(( (t2 - t1) / 1000000 )) ms later (load average $(cut -d' ' -f1 /proc/loadavg))"
# The whole smoke test again: the new bookings process serves, and its rejoined group consumes (a stay
# on a listing created after the restart needs the listing event to reach bookings through Kafka).
say "smoke test after the restart"
GATEWAY_URL="http://127.0.0.1:$BASE_PORT/graphql" ACCOUNTS_DATABASE_URL="$(db_url accounts)" \
  node -r @swc-node/register .ci/production-smoke.ts || status=$?

# A production process must have logged nothing at error level while serving the smoke test.
for name in "${SUBGRAPHS[@]}" gateway; do
  if grep -q '"level":50\|"level":60' "$LOGS/$name.log"; then
    say "$name logged errors:"; grep '"level":50\|"level":60' "$LOGS/$name.log" | head -5
    status=1
  fi
done

#!/usr/bin/env bash
# Standard benchmark suite: builds what is missing, starts a fresh switchboard with a bench
# configuration, runs switchboard-bench scenarios against it and writes a Markdown table to
# stdout and bench/results/latest.md (raw JSON in bench/results/raw/).
#
# Sizes come from the environment; QUICK=1 shrinks everything for a smoke run.
#   REPEAT (3)      runs per fixed-rate fanout; the table shows medians
#   DURATION (10)   seconds per publishing run; SEARCH_DURATION (5) per rate-search step
#   IDLE_SMALL (1000) IDLE_LARGE (15000) HOLD (5)
#   FANOUT_SMALL (1000) FANOUT_LARGE (10000) FANOUT_RATE (100 msg/s into the 1,000 room)
#   FANOUT_LARGE_RATE (10 msg/s into the 10,000 room)  PAYLOAD (100)
#   SEARCH_RATES ("100 200 400 800 1600 3200")  ROOMS_CLIENTS (10000) ROOMS (1000) ROOMS_RATE (10)
#   SLOW_CLIENTS (1000) SLOW (10) SLOW_RATE (100) SLOW_PAYLOAD (1024)
#   CHURN_RATE (200)  WORKERS (2)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD_DIR:-$root/build-bench}
if [ "${QUICK:-0}" = 1 ]; then
  : "${REPEAT:=1}" "${DURATION:=3}" "${SEARCH_DURATION:=2}" "${IDLE_SMALL:=200}" \
    "${IDLE_LARGE:=1000}" "${HOLD:=1}" "${FANOUT_SMALL:=200}" "${FANOUT_LARGE:=1000}" \
    "${SEARCH_RATES:=100 400}" "${ROOMS_CLIENTS:=1000}" "${ROOMS:=100}" "${SLOW_CLIENTS:=200}"
fi
REPEAT=${REPEAT:-3} DURATION=${DURATION:-10} SEARCH_DURATION=${SEARCH_DURATION:-5}
IDLE_SMALL=${IDLE_SMALL:-1000} IDLE_LARGE=${IDLE_LARGE:-15000} HOLD=${HOLD:-5}
FANOUT_SMALL=${FANOUT_SMALL:-1000} FANOUT_LARGE=${FANOUT_LARGE:-10000}
FANOUT_RATE=${FANOUT_RATE:-100} FANOUT_LARGE_RATE=${FANOUT_LARGE_RATE:-10} PAYLOAD=${PAYLOAD:-100}
SEARCH_RATES=${SEARCH_RATES:-100 200 400 800 1600 3200}
ROOMS_CLIENTS=${ROOMS_CLIENTS:-10000} ROOMS=${ROOMS:-1000} ROOMS_RATE=${ROOMS_RATE:-10}
SLOW_CLIENTS=${SLOW_CLIENTS:-1000} SLOW=${SLOW:-10} SLOW_RATE=${SLOW_RATE:-100}
SLOW_PAYLOAD=${SLOW_PAYLOAD:-1024} CHURN_RATE=${CHURN_RATE:-200} WORKERS=${WORKERS:-2}

if [ ! -x "$build/server/switchboard" ] || [ ! -x "$build/bench/switchboard-bench" ]; then
  cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DSWITCHBOARD_TESTS=OFF -DSWITCHBOARD_EXAMPLES=OFF >/dev/null
  cmake --build "$build" --target switchboard switchboard-bench -j2
fi
server_bin=$build/server/switchboard
bench_bin=$build/bench/switchboard-bench
out=$root/bench/results
raw=$out/raw
mkdir -p "$raw"
rm -f "$raw"/*.json
work=$(mktemp -d)
server_pid=
stop_server() {
  [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null || true
  server_pid=
}
trap 'stop_server; rm -rf "$work"' EXIT

cat >"$work/bench.toml" <<'TOML'
# Bench configuration: no idle check, room for 20,000 connections, no inbound rate limit on
# publishers, and a 256 KiB outbound bound so non-readers reach it within seconds.
[listener]
port = 0
[limits]
idle_timeout_ms = 0
max_connections = 20000
max_outbound_bytes = 262144
messages_per_second = 1000000.0
burst = 1000000.0
room_mailbox_limit = 100000
[runtime]
log_level = "info"
[[routes]]
pattern = "room:*"
behaviour = "broadcast"
TOML

start_server() {
  stop_server
  ulimit -n "$(ulimit -Hn)"
  "$server_bin" --config "$work/bench.toml" >"$work/server.log" 2>&1 &
  server_pid=$!
  port=
  for _ in $(seq 1 100); do
    port=$(grep -o 'listening on [0-9.]*:[0-9]*' "$work/server.log" | head -1 | sed 's/.*://') || true
    [ -n "$port" ] && break
    sleep 0.05
  done
  [ -n "$port" ] || { echo "server did not start" >&2; cat "$work/server.log" >&2; exit 1; }
  url=ws://127.0.0.1:$port/socket
}

# Waits until the server reports no open connections (the previous run's teardown is done).
settle() {
  for _ in $(seq 1 100); do
    n=$(curl -s "http://127.0.0.1:$port/metrics" | awk '$1=="switchboard_connections"{print $2}')
    [ "${n:-0}" = 0 ] && break
    sleep 0.1
  done
  sleep 0.5
}

# bench <name> <args...>: one run, JSON kept as raw/<name>.json
bench() {
  local name=$1
  shift
  settle
  echo "--- $name: $*" >&2
  "$bench_bin" "$@" --url "$url" --server-pid "$server_pid" --json --workers "$WORKERS" \
    >"$raw/$name.json" || echo "    (exit status $?)" >&2
}

start_server
bench idle_small connect --clients "$IDLE_SMALL" --hold "$HOLD"
bench idle_large connect --clients "$IDLE_LARGE" --hold "$HOLD"
for i in $(seq 1 "$REPEAT"); do
  bench "fanout_small_$i" fanout --clients "$FANOUT_SMALL" --rate "$FANOUT_RATE" \
    --duration "$DURATION" --payload-bytes "$PAYLOAD"
  bench "fanout_large_$i" fanout --clients "$FANOUT_LARGE" --rate "$FANOUT_LARGE_RATE" \
    --duration "$DURATION" --payload-bytes "$PAYLOAD"
done
for r in $SEARCH_RATES; do
  bench "search_$r" fanout --clients "$FANOUT_SMALL" --rate "$r" --duration "$SEARCH_DURATION" \
    --payload-bytes "$PAYLOAD"
  /usr/bin/python3 - "$raw/search_$r.json" <<'PY' || break
import json, sys
try:
    d = json.load(open(sys.argv[1]))["delivery"]
except Exception:
    sys.exit(1)
ok = d["latency_ms"]["p99"] < 100 and d["missing"] == 0 and not d["server_closed"]
sys.exit(0 if ok else 1)
PY
done
bench rooms rooms --clients "$ROOMS_CLIENTS" --rooms "$ROOMS" --rate "$ROOMS_RATE" \
  --duration "$DURATION" --payload-bytes "$PAYLOAD"
bench slow slow --clients "$SLOW_CLIENTS" --slow "$SLOW" --rate "$SLOW_RATE" \
  --duration "$DURATION" --payload-bytes "$SLOW_PAYLOAD"
bench churn churn --clients 200 --rate "$CHURN_RATE" --duration "$DURATION"
stop_server

/usr/bin/python3 "$root/bench/table.py" "$raw" | tee "$out/latest.md"

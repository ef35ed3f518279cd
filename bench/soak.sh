#!/usr/bin/env bash
# Soak test: a fresh switchboard under moderate mixed traffic for a long time, to show that
# memory stays flat and nothing degrades. Several switchboard-bench "lanes" run concurrently,
# each restarted in a loop until the deadline, so traffic never stops:
#   fanout    broadcasts into one room (every delivery checked: nothing missing, duplicated
#             or out of order)
#   lobby     broadcasts into a presence room whose members joined with distinct user_ids
#   rooms     many small rooms, each with a publisher (rooms come and go with each restart)
#   churn     connect, join, leave, close cycles (reconnects)
#   presence  the same cycles into the presence room, a new user_id each cycle (presence churn)
#   slow      subscribers that stop reading beside regular ones (slow consumers)
# A sampler scrapes /metrics every few seconds into soak.csv. At the end soak_report.py prints
# the summary (RSS after warm-up, its slope, bench failures), draws soak_rss.svg and decides
# PASS/FAIL; the exit status is 0 only on PASS.
#
# Usage: bench/soak.sh [--duration S] [--out DIR] [--server BIN] [--bench BIN]
#   --duration  seconds of traffic (default 1800)
#   --out       where soak.csv, soak_rss.svg, soak_summary.txt and runs/ go
#               (default bench/results/soak)
#   --server, --bench  binaries (default build/server/switchboard, build/bench/switchboard-bench)
# Environment: SOAK_SAMPLE (sampling period, s; default 2 up to 5 minutes, else 5),
#   SOAK_WARMUP (fraction of the run that is warm-up, 0.2), SOAK_SCALE (multiplies client counts
#   and rates, 1), SWITCHBOARD_SANITIZED=1 (skip the RSS bound: meaningless under ASan).
. "$(dirname "$0")/start_server.sh"
set -uo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
duration=1800
out=$root/bench/results/soak
server_bin=$root/build/server/switchboard
bench_bin=$root/build/bench/switchboard-bench
while [ $# -gt 0 ]; do
  case $1 in
  --duration) duration=$2; shift 2 ;;
  --out) out=$2; shift 2 ;;
  --server) server_bin=$2; shift 2 ;;
  --bench) bench_bin=$2; shift 2 ;;
  *) echo "usage: $0 [--duration S] [--out DIR] [--server BIN] [--bench BIN]" >&2; exit 2 ;;
  esac
done
for b in "$server_bin" "$bench_bin"; do
  [ -x "$b" ] || { echo "soak: $b is missing; build first (cmake --build build)" >&2; exit 2; }
done
sample=${SOAK_SAMPLE:-$([ "$duration" -le 300 ] && echo 2 || echo 5)}
warmup=${SOAK_WARMUP:-0.2}
scale=${SOAK_SCALE:-1}
# Each lane runs iterations of at most this long; short runs use shorter iterations so every
# lane restarts a few times.
iteration=$((duration >= 600 ? 120 : (duration / 4 > 10 ? duration / 4 : 10)))
min_iteration=5
n() { /usr/bin/python3 -c "print(max(1, round($1 * $scale)))"; }

mkdir -p "$out"
rm -rf "$out/runs" "$out"/soak.csv "$out"/soak_rss.svg "$out"/soak_summary.* "$out"/server.log
mkdir -p "$out/runs"
work=$(mktemp -d)
server_pid=
sampler_pid=
lane_pids=()
cleanup() {
  touch "$work/stop"
  for p in "${lane_pids[@]}" $sampler_pid; do kill "$p" 2>/dev/null; done
  [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null
  wait 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

cat >"$work/soak.toml" <<'TOML'
# Soak configuration: defaults except a 64 KiB outbound bound, so the non-readers of the slow
# lane are closed (1013) within their run, and a presence route for the lobby and presence lanes.
[listener]
port = 0
[limits]
max_connections = 5000
max_outbound_bytes = 65536
[runtime]
log_level = "info"
[[routes]]
pattern = "presence:*"
behaviour = "broadcast"
presence = true
presence_key = "user_id"
[[routes]]
pattern = "room:*"
behaviour = "broadcast"
TOML
cp "$work/soak.toml" "$out/soak.toml"

ulimit -n "$(ulimit -Hn)"
start_server "$work/soak.toml" "$out/server.log"
if [ -z "$port" ]; then
  echo "FAIL: the server did not report a listening port" >&2
  cat "$out/server.log" >&2
  exit 1
fi
url=ws://127.0.0.1:$port/socket
start=$(date +%s)
deadline=$((start + duration))

/usr/bin/python3 "$root/bench/soak_sampler.py" "http://127.0.0.1:$port/metrics" "$server_pid" \
  "$sample" "$out/soak.csv" "$work/stop" "$start" &
sampler_pid=$!

# lane <name> <seconds per phase divisor> <bench args...>: runs the bench in a loop until the
# deadline. The slow scenario has two phases (baseline, then with non-readers), so it gets half
# the iteration per phase.
lane() {
  local name=$1 phases=$2
  shift 2
  local i=0 now left d
  while :; do
    now=$(date +%s)
    left=$((deadline - now))
    [ "$left" -ge "$min_iteration" ] || break
    kill -0 "$server_pid" 2>/dev/null || break
    d=$((left < iteration ? left : iteration))
    d=$((d / phases))
    i=$((i + 1))
    "$bench_bin" "$@" --url "$url" --duration "$d" --workers 1 --json --quiet \
      >"$out/runs/$name-$i.json" 2>"$out/runs/$name-$i.err"
    echo $? >"$out/runs/$name-$i.rc"
  done
}

lane fanout 1 fanout --topic room:soak-fanout --clients "$(n 200)" --publishers 2 \
  --rate "$(n 10)" --payload-bytes 200 &
lane_pids+=($!)
lane lobby 1 fanout --topic presence:soak-lobby --clients "$(n 100)" --publishers 1 \
  --rate "$(n 5)" --payload-bytes 100 --event lobby --join-payload '{"user_id":"member-{i}"}' &
lane_pids+=($!)
lane rooms 1 rooms --topic room:soak-small --clients "$(n 500)" --rooms "$(n 100)" --rate 1 \
  --payload-bytes 100 &
lane_pids+=($!)
lane churn 1 churn --topic room:soak-churn --clients 20 --rate "$(n 20)" &
lane_pids+=($!)
lane presence 1 churn --topic presence:soak-lobby --clients 20 --rate "$(n 20)" \
  --join-payload '{"user_id":"visitor-{i}"}' &
lane_pids+=($!)
lane slow 2 slow --topic room:soak-slow --clients "$(n 20)" --slow 4 --rate "$(n 25)" \
  --payload-bytes 4096 &
lane_pids+=($!)
cat >"$out/mix.txt" <<EOF
duration ${duration}s, iterations up to ${iteration}s per lane, sampling every ${sample}s, scale $scale
fanout:   fanout --topic room:soak-fanout --clients $(n 200) --publishers 2 --rate $(n 10) --payload-bytes 200
lobby:    fanout --topic presence:soak-lobby --clients $(n 100) --publishers 1 --rate $(n 5) --payload-bytes 100 --event lobby --join-payload '{"user_id":"member-{i}"}'
rooms:    rooms --topic room:soak-small --clients $(n 500) --rooms $(n 100) --rate 1 --payload-bytes 100
churn:    churn --topic room:soak-churn --clients 20 --rate $(n 20)
presence: churn --topic presence:soak-lobby --clients 20 --rate $(n 20) --join-payload '{"user_id":"visitor-{i}"}'
slow:     slow --topic room:soak-slow --clients $(n 20) --slow 4 --rate $(n 25) --payload-bytes 4096 (half the iteration per phase)
EOF
echo "soak: server pid $server_pid on port $port, ${duration}s of traffic, results in $out" >&2

wait "${lane_pids[@]}"
lane_pids=()
load_end=$(($(date +%s) - start))

# After the load: wait (with a deadline) for the server to report no connections and no rooms,
# sampling all the while, so the CSV shows whether memory comes back.
cooldown=$((duration >= 600 ? 60 : 10))
for _ in $(seq 1 $((cooldown * 5))); do
  m=$(curl -s --max-time 2 "http://127.0.0.1:$port/metrics" || true)
  c=$(awk '$1=="switchboard_connections"{print $2}' <<<"$m")
  r=$(awk '$1=="switchboard_rooms"{print $2}' <<<"$m")
  [ "$c" = 0 ] && [ "$r" = 0 ] && break
  sleep 0.2
done
# Samples of the idle server after the load (a minute for long runs), for the cool-down end of
# the curve: does memory come back?
sleep $((duration >= 600 ? 60 : sample * 3))
touch "$work/stop"
wait "$sampler_pid"
sampler_pid=

kill -TERM "$server_pid"
server_status=
for _ in $(seq 1 150); do
  kill -0 "$server_pid" 2>/dev/null || break
  sleep 0.1
done
if kill -0 "$server_pid" 2>/dev/null; then
  server_status=timeout
  kill -KILL "$server_pid"
  wait "$server_pid" 2>/dev/null
else
  wait "$server_pid"
  server_status=$?
fi
server_pid=

/usr/bin/python3 "$root/bench/soak_report.py" --out "$out" --duration "$duration" \
  --warmup "$warmup" --load-end "$load_end" --server-exit "$server_status" \
  --sanitized "${SWITCHBOARD_SANITIZED:-0}"

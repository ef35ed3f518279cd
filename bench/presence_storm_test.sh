#!/usr/bin/env bash
# A presence join storm against a fresh server: 5,000 distinct users join one presence topic at
# 500 joins/s, leave, and join again. Every join and leave must be answered ok within 10 s, and
# the presence list rebuilt by sampled clients (state + diffs, as phoenix.js does) must hold all
# 5,000 users after each join storm. Asserts behaviour, not speed.
# Usage: presence_storm_test.sh <switchboard binary> <switchboard-bench binary> [users]
. "$(dirname "$0")/start_server.sh"
set -u
server_bin=$1
bench_bin=$2
users=${3:-5000}
# Under AddressSanitizer the server runs a few times slower: a smaller storm still checks that
# every join is answered and every sampled list complete (the size that fails on an unbatched
# server is the release pass's job).
if [ "${SWITCHBOARD_SANITIZED:-}" = 1 ] && [ -z "${3:-}" ]; then
  users=1000
fi
work=$(mktemp -d)
server_pid=
cleanup() {
  [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT

cat >"$work/storm.toml" <<'TOML'
[listener]
port = 0
[limits]
idle_timeout_ms = 0
max_connections = 20000
[[routes]]
pattern = "presence:*"
behaviour = "broadcast"
presence = true
TOML

start_server "$work/storm.toml" "$work/server.log"
if [ -z "$port" ]; then
  echo "FAIL: server did not report a listening port"; cat "$work/server.log"
  exit 1
fi

# --settle-max bounds the wait for a server that is still sending (the old one took minutes).
timeout 150 "$bench_bin" presence --url "ws://127.0.0.1:$port/socket" --clients "$users" \
  --rate 500 --cycles 2 --sample 30 --settle-max 20 --json --quiet \
  >"$work/result.json" 2>"$work/bench.err"
status=$?
if [ ! -s "$work/result.json" ]; then
  echo "FAIL: switchboard-bench gave no result (exit $status)"; cat "$work/bench.err"
  exit 1
fi

/usr/bin/python3 - "$work/result.json" "$users" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
users = int(sys.argv[2])
steps = r["presence"]["steps"]
checks = [("all %d clients connected" % users, r["connect"]["joined"] == users),
          ("three steps ran (join, leave, join)", [s["kind"] for s in steps] == ["join", "leave", "join"])]
for i, s in enumerate(steps):
    name = "step %d (%s)" % (i + 1, s["kind"])
    checks += [
        (name + ": every request answered ok", s["ok"] == users and s["requests"] == users),
        (name + ": none timed out or refused", s["timed_out"] == 0 and s["refused"] == 0),
        (name + ": the server went quiet", not s["settle_capped"]),
        (name + ": no errors", not s["errors"]),
    ]
    if s["kind"] == "join":
        smp = s["sample"]
        checks.append((name + ": sampled presence lists hold all %d users (%d/%d)"
                       % (users, smp["complete"], smp["clients"]),
                       smp["clients"] > 0 and smp["complete"] == smp["clients"]))
failed = [n for n, ok in checks if not ok]
for n, ok in checks:
    print(("ok   " if ok else "FAIL ") + n)
for i, s in enumerate(steps):
    print("step %d %s: ok %d timed out %d, reply p99 %.0f ms, %d frames, %d bytes, settled %.2f s"
          % (i + 1, s["kind"], s["ok"], s["timed_out"], s["latency_ms"]["p99"], s["frames"],
             s["bytes"], s["settle_seconds"]))
sys.exit(1 if failed else 0)
PY

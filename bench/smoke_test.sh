#!/usr/bin/env bash
# Smoke test of switchboard-bench against the real server: a short fanout run must deliver
# every message exactly once and in order. Asserts behaviour, not performance.
# Usage: smoke_test.sh <switchboard binary> <switchboard-bench binary>
. "$(dirname "$0")/start_server.sh"
set -u
server_bin=$1
bench_bin=$2
work=$(mktemp -d)
server_pid=
cleanup() {
  [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT

cat >"$work/bench.toml" <<'TOML'
[listener]
port = 0
[limits]
idle_timeout_ms = 0
[[routes]]
pattern = "room:*"
behaviour = "broadcast"
TOML

start_server "$work/bench.toml" "$work/server.log"
if [ -z "$port" ]; then
  echo "FAIL: server did not report a listening port"; cat "$work/server.log"
  echo "0 passed, 1 failed"; exit 1
fi

if ! timeout 12 "$bench_bin" fanout --url "ws://127.0.0.1:$port/socket" --clients 20 \
     --publishers 2 --rate 50 --duration 2 --json --quiet >"$work/result.json" 2>"$work/bench.err"; then
  echo "FAIL: switchboard-bench exited with an error"; cat "$work/bench.err" "$work/result.json"
  echo "0 passed, 1 failed"; exit 1
fi

/usr/bin/python3 -c '
import json, sys
r = json.load(open(sys.argv[1]))
d = r["delivery"]
checks = [
    ("all 22 connections joined", r["connect"]["joined"] == 22),
    ("deliveries > 0", d["deliveries"] > 0),
    ("every published message delivered to all 20 subscribers", d["deliveries"] == d["expected"]),
    ("missing == 0", d["missing"] == 0),
    ("duplicates == 0", d["duplicates"] == 0),
    ("out_of_order == 0", d["out_of_order"] == 0),
    ("no errors", not r["errors"]),
]
failed = [name for name, ok in checks if not ok]
for name, ok in checks:
    print(("ok   " if ok else "FAIL ") + name)
if failed:
    print(json.dumps(r, indent=1)[:2000])
print("%d passed, %d failed" % (1 if not failed else 0, 1 if failed else 0))
sys.exit(1 if failed else 0)
' "$work/result.json"

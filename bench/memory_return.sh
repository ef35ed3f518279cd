#!/usr/bin/env bash
# Measures how much of the memory a flooding client made the server hold comes back to the
# operating system after the client is gone, with and without the malloc_trim timer.
# Usage: bench/memory_return.sh [build dir] [heartbeats] [ref bytes]   (one line per trim setting)
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
count=${2:-2000}
size=${3:-60000}
rss() { curl -s "http://127.0.0.1:$1/metrics" | awk '/^process_resident_memory_bytes/ {printf "%.1f", $2/1048576}'; }
for trim in 0 2000; do
  cfg=$(mktemp)
  cat > "$cfg" <<TOML
[limits]
messages_per_second = 1000000.0
burst = 1000000.0
max_frame_bytes = 131072
max_outbound_control_bytes = 268435456
write_timeout_ms = 60000
[runtime]
memory_trim_interval_ms = $trim
[[routes]]
pattern = "room:*"
behaviour = "broadcast"
TOML
  log=$(mktemp)
  "$build/server/switchboard" --port 0 --config "$cfg" > "$log" 2>&1 &
  pid=$!
  port=""
  for _ in $(seq 50); do port=$(grep -o 'listening on 127.0.0.1:[0-9]*' "$log" | cut -d: -f2) && [ -n "$port" ] && break; sleep 0.1; done
  before=$(rss "$port")
  # Heartbeats never read (by default 2,000 with 60 KB refs: 120 MB of queued replies), then a reset.
  coproc flood { /usr/bin/python3 tests/e2e/python/flood.py "$port" heartbeats "$count" "$size" --then abort; }
  read -r _ <&"${flood[0]}"
  sleep 3
  peak=$(rss "$port")
  echo go >&"${flood[1]}"
  read -r _ <&"${flood[0]}"
  sleep 1; after1=$(rss "$port"); sleep 2; after3=$(rss "$port"); sleep 3; after6=$(rss "$port")
  echo "memory_trim_interval_ms=$trim: RSS MiB before $before, with the queue $peak, after the reset +1 s $after1, +3 s $after3, +6 s $after6"
  kill "$pid"; wait "$pid" 2>/dev/null || true
  rm -f "$cfg" "$log"
done

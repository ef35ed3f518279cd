# Sourced by the bench scripts. start_server CONFIG LOG starts the switchboard binary named by
# $server_bin on CONFIG with --port 0, logging to LOG, and sets server_pid and port once the
# server has logged its listening line; returns 1 (port empty) if it exits or logs none in 10 s.
start_server() { # <config file> <log file>
  "$server_bin" --port 0 --config "$1" >"$2" 2>&1 &
  server_pid=$!
  port=
  for _ in $(seq 1 200); do
    port=$(grep -o 'listening on [0-9.]*:[0-9]*' "$2" | head -1 | sed 's/.*://')
    [ -n "$port" ] && return 0
    kill -0 "$server_pid" 2>/dev/null || return 1
    sleep 0.05
  done
  return 1
}

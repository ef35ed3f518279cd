// The embedded default configuration. The defaults themselves are declared once, in the layers'
// structs (net/limits.hpp, actors/limits.hpp, server/config.hpp). This text still spells every
// value out, rather than being generated or leaving them out, because it is the commented file
// people copy and edit, and a value next to its reason reads better than a reference to a header;
// tests/server/config_docs_test.cpp proves each value equals its struct default, and that
// docs/configuration.md reproduces this text verbatim.

#include "server/config.hpp"

#include <cstdio>
#include <cstdlib>
#include <utility>

namespace switchboard::server {

namespace {

constexpr std::string_view default_toml = R"toml(# Switchboard configuration.
# Every key is optional: a key left out keeps the default shown here. Unknown keys are errors,
# so a misspelt option is reported instead of silently ignored. Sizes are bytes, times are
# milliseconds. docs/configuration.md has the full reference.

[listener]
# Interface to bind. Loopback by default so a fresh install is not reachable from the network
# until someone decides it should be ("0.0.0.0" or "::" for all interfaces).
host = "127.0.0.1"
# TCP port, 0..65535; 0 picks an ephemeral port, which is logged at start. 4000 is the port a
# Phoenix application listens on in development, so existing client setups work unchanged.
port = 4000
# Socket mount point; the WebSocket endpoint is socket_path + "/websocket". "/socket" is the
# path of Phoenix's `socket "/socket", UserSocket`, which phoenix.js clients expect.
socket_path = "/socket"

[limits]
# Channels one connection may join at once. Far above what a client normally joins, while
# bounding the server state one connection can hold.
max_channels = 100
# Largest inbound frame; a bigger one closes the connection with 1009 (message too big).
# 64 KiB is ample for chat-style messages and bounds the memory of a single read.
max_frame_bytes = 65536
# Bound of a connection's outbound queue; above it the route's on_overflow policy applies.
# 1 MiB absorbs a stalled reader for a few seconds without letting one slow client grow
# without limit.
max_outbound_bytes = 1048576
# Bound of the frames queued for one connection alone: replies, pushes, pongs. No policy may
# drop those, so a connection that lets more pile up (it asks and does not read) is closed with
# 1013. 4 MiB holds a large presence_state plus a backlog of ordinary replies.
max_outbound_control_bytes = 4194304
# A connection whose socket accepts no bytes for this long is closed. 10 s separates a
# congested link from a dead peer much sooner than TCP would.
write_timeout_ms = 10000
# A connection that sends no frame for this long is closed with 1001; 0 disables the check.
# Phoenix clients send a heartbeat every 30 s, so 60 s tolerates one lost heartbeat, as
# Phoenix's own 60 s socket timeout does.
idle_timeout_ms = 60000
# Time from TCP accept to a completed WebSocket upgrade. 10 s is plenty for a real client and
# stops half-open connections from holding sockets.
handshake_timeout_ms = 10000
# Open connections; further upgrades are refused with HTTP 503. 15000 stays below a raised
# but common file descriptor limit (16384), so the server sheds load instead of failing on
# accept.
max_connections = 15000
# Connections not yet upgraded: plain HTTP requests (health checks, metrics) and upgrades in
# progress. Beyond it a new connection gets HTTP 503 and is closed, so idle or slow HTTP
# clients cannot hold memory without bound. An upgrade takes well under a millisecond, so
# 1024 absorbs a reconnect storm; each one holds at most an 8 KiB request header.
max_http_connections = 1024
# Inbound token bucket per connection: refill rate (messages per second) and bucket size.
# A person sends a few messages per second; 100/s leaves room for programmatic clients and
# still stops a runaway loop. A burst of 200 covers rejoining max_channels channels after a
# reconnect.
messages_per_second = 100.0
burst = 200.0
# Rate-limited replies in a row after which the connection is closed with 1008. A client
# that ignores 100 refusals is not going to slow down.
rate_limit_close_after = 100
# Publishes queued in one room before it answers "overloaded". Publishers get explicit
# backpressure instead of a hot room growing its queue without bound.
room_mailbox_limit = 10000

[runtime]
# CAF worker threads running the actors; 0 = one per core, since actor work is CPU-bound.
scheduler_threads = 0
# Asio threads running the sockets. Sessions only read, write and frame, so one thread
# serves many thousands of connections; raise it when that thread is saturated.
io_threads = 1
# Registry shards; 0 = one per scheduler thread, which keeps lookups from contending.
registry_partitions = 0
# How often the server checks whether to hand freed heap memory back to the operating system
# (malloc_trim); 0 disables it. It trims only once closed connections freed 8 MiB or more
# (their queues at their peak included): without it, memory a burst took (a flood of queued
# frames for one client) stays resident after the burst, while trimming when nothing was freed
# would hold up allocating threads for nothing (BENCHMARKS.md).
memory_trim_interval_ms = 2000
# trace, debug, info, warn, error or off. "info" logs start, stop and failures without
# per-message noise.
log_level = "info"

# Channel routes, tried in order; the first whose pattern matches a topic serves it.
# pattern     exact topic, or a prefix ending in "*" ("*" only as the last character)
# behaviour   name of a registered behaviour
# on_overflow what to do with broadcasts when the connection's outbound queue is full:
#             "close" (default: the client reconnects and rejoins, nothing is lost
#             silently), "drop_newest" or "drop_oldest"
# Any other key is an option of the behaviour, which validates it.

# Chat rooms: every publish goes to every member.
[[routes]]
pattern = "room:*"
behaviour = "broadcast"

# Sends every message back to its sender: a connectivity check for clients.
[[routes]]
pattern = "echo:*"
behaviour = "echo"

# Broadcast plus presence tracking, keyed by "user_id".
[[routes]]
pattern = "presence:*"
behaviour = "broadcast"
presence = true
presence_key = "user_id"
)toml";

} // namespace

std::string_view default_config_toml() {
  return default_toml;
}

config default_config() {
  auto result = parse_config(default_toml, "<default>");
  if (!result.value) {
    // Unreachable while the config tests pass; a broken build must not start half-configured.
    std::fprintf(stderr, "switchboard: invalid embedded configuration: %s\n", result.error.c_str());
    std::abort();
  }
  return std::move(*result.value);
}

} // namespace switchboard::server

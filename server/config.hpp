#pragma once
/// The server's configuration: TOML loading and printing of the option structs each layer declares
/// (net/limits.hpp, actors/limits.hpp) plus the server's own (listener, runtime). Every option,
/// its default and the reason for the default is documented in docs/configuration.md. Everything
/// here is plain data and pure functions: safe to use from any thread.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <toml++/toml.h>

#include "actors/limits.hpp"
#include "actors/outbound.hpp"
#include "net/limits.hpp"

namespace switchboard::server {

/// What a connection does when its outbound queue is over `max_outbound_bytes`.
using actors::overflow_policy;

/// One channel route: topics matching `pattern` are served by the behaviour named `behaviour`.
struct route_config {
  std::string pattern;   ///< exact topic, or a prefix ending in `*`
  std::string behaviour; ///< name of a registered behaviour: "broadcast", "echo", ...
  /// The route's whole TOML table (including pattern and behaviour), handed to the behaviour
  /// factory, which validates its own options (e.g. `exclude_sender`, `presence`).
  /// After parse_config it always holds `pattern`, `behaviour` and `on_overflow` with their
  /// effective values, so a factory sees the same table whatever the file spelled out.
  toml::table options;
  overflow_policy on_overflow = overflow_policy::close;

  friend bool operator==(const route_config&, const route_config&) = default;
};

/// Where the server listens. The server binds host:port itself and hands socket_path to the
/// net layer (net::server_context::socket_path).
struct listener_config {
  std::string host = "127.0.0.1";
  std::uint16_t port = 4000;           ///< 0 picks an ephemeral port (logged at start)
  std::string socket_path = "/socket"; ///< WebSocket endpoint is socket_path + "/websocket"

  friend bool operator==(const listener_config&, const listener_config&) = default;
};

/// The `[limits]` section: each layer's own limits struct, held whole so the server hands each
/// layer its struct and every default is written once, where the layer declares it.
struct limits_config {
  /// max_frame_bytes, max_outbound_bytes, max_outbound_control_bytes, write_timeout_ms,
  /// idle_timeout_ms, messages_per_second, burst, rate_limit_close_after (per connection).
  net::session_options session;
  /// max_connections, max_http_connections, handshake_timeout_ms (whole server).
  net::accept_limits accept;
  /// max_channels.
  actors::connection_limits connection;
  /// room_mailbox_limit (as room.mailbox_limit).
  actors::room_limits room;

  friend bool operator==(const limits_config&, const limits_config&) = default;
};

struct runtime_config {
  std::size_t scheduler_threads = 0;   ///< CAF worker threads; 0 = number of cores
  std::size_t io_threads = 1;          ///< Asio threads running the sockets
  std::size_t registry_partitions = 0; ///< registry shards; 0 = number of scheduler threads
  std::chrono::milliseconds memory_trim_interval{2'000}; ///< malloc_trim period; 0 disables
  std::string log_level = "info";                        ///< trace, debug, info, warn, error or off

  friend bool operator==(const runtime_config&, const runtime_config&) = default;
};

struct config {
  listener_config listener;
  limits_config limits;
  runtime_config runtime;
  std::vector<route_config> routes; ///< in file order; the router tries them first to last

  friend bool operator==(const config&, const config&) = default;
};

/// The TOML name of a policy: "close", "drop_newest" or "drop_oldest".
[[nodiscard]] std::string_view to_string(overflow_policy p) noexcept;

/// The policy named `name` (as printed by to_string), or nullopt for any other text.
[[nodiscard]] std::optional<overflow_policy> parse_overflow_policy(std::string_view name) noexcept;

/// The embedded default configuration as TOML text (what `switchboard` runs on without --config).
[[nodiscard]] std::string_view default_config_toml();

/// default_config_toml() parsed: the declared defaults plus the three default routes
/// (room:* → broadcast, echo:* → echo, presence:* → broadcast with presence).
[[nodiscard]] config default_config();

/// Outcome of loading: the config, or one message naming the source (file), line and key.
struct load_result {
  std::optional<config> value;
  std::string error; ///< e.g. "switchboard.toml:12: limits.max_frame_bytes: expected an integer"
};

/// Parses TOML text. `source_name` names the text in error messages (a file path or "<default>").
/// Unknown keys are errors (a typo must not be silently ignored), except inside a route, whose
/// extra keys are behaviour options. Keys left out keep the defaults declared above; a text
/// without `[[routes]]` has no routes. Never throws: every failure is a message in `error`.
[[nodiscard]] load_result parse_config(std::string_view toml_text, std::string_view source_name);

/// Reads and parses a file; an unreadable file is an error naming the path.
[[nodiscard]] load_result load_config_file(const std::string& path);

/// Prints the effective configuration as TOML that parse_config accepts back unchanged: every
/// section and key, in declaration order, and each route's options after its own keys.
[[nodiscard]] std::string to_toml(const config& c);

} // namespace switchboard::server

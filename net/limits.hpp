#pragma once
/// The net layer's limits, plain data with the one copy of each default. server::config holds
/// these structs whole and maps them to `[limits]` keys (docs/configuration.md says why each
/// default is what it is); this header includes nothing of Asio or CAF, so the config unit
/// builds without them.

#include <chrono>
#include <cstddef>

namespace switchboard::net {

/// What each WebSocket session enforces (net/ws_session.hpp).
struct session_options {
  std::size_t max_frame_bytes = 64 * 1024;
  /// Bound of the broadcast frames a connection's queue holds; the route's on_overflow applies.
  std::size_t max_outbound_bytes = 1024 * 1024;
  /// Bound of the frames addressed to this connection alone (replies, pushes, pongs), which no
  /// policy may drop: beyond it the connection is closed with 1013. One frame larger than the
  /// bound is still queued when nothing else of its class is (a large presence_state).
  std::size_t max_outbound_control_bytes = 4 * 1024 * 1024;
  /// Inbound token bucket: every frame takes a token. A message without one is forwarded marked
  /// as refused (the connection answers {"reason":"rate_limited"}), a ping without one gets no
  /// pong; more than `rate_limit_close_after` refusals in a row close the connection with 1008.
  double messages_per_second = 100;
  double burst = 200;
  std::size_t rate_limit_close_after = 100;
  std::chrono::milliseconds idle_timeout{60'000}; ///< 0 disables
  std::chrono::milliseconds write_timeout{10'000};

  // Not settable from the config file: these stay at their defaults unless set in code.

  /// How long to wait for the peer's close frame after ours before dropping the socket.
  std::chrono::milliseconds close_timeout{2'000};
  /// Inbound messages (and their payload bytes) forwarded to the connection actor and not yet
  /// processed, beyond which the session stops reading from the socket until the actor has
  /// caught up with half of them: what one client can make the server hold inbound is about
  /// max_inbound_bytes_in_flight plus one read (64 KiB).
  std::size_t max_inbound_in_flight = 256;
  std::size_t max_inbound_bytes_in_flight = 1024 * 1024;

  friend bool operator==(const session_options&, const session_options&) = default;
};

/// What the listener and its HTTP sessions enforce up to the upgrade, for the whole server
/// (net/server_context.hpp holds it).
struct accept_limits {
  std::size_t max_connections = 15'000;    ///< upgrades beyond it get HTTP 503
  std::size_t max_http_connections = 1024; ///< connections not yet upgraded; beyond it 503
  std::chrono::milliseconds handshake_timeout{10'000}; ///< TCP accept to completed upgrade

  friend bool operator==(const accept_limits&, const accept_limits&) = default;
};

} // namespace switchboard::net

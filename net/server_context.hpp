#pragma once
/// What the listener and its sessions need from the server; owned by the server, outlives them.

#include "actors/connect.hpp"
#include "actors/connection.hpp"
#include "net/session_registry.hpp"
#include "net/ws_session.hpp"

#include <caf/actor_system.hpp>
#include <caf/atom.hpp>

#include <chrono>
#include <memory>
#include <string>

namespace switchboard::net {

struct server_context {
  session_options session;
  session_registry* sessions = nullptr;
  std::size_t max_connections = 15'000; ///< upgrades beyond it get HTTP 503
  std::size_t max_http_connections = 1024; ///< connections not yet upgraded; beyond it 503
  std::string socket_path = "/socket"; ///< the WebSocket endpoint is socket_path + "/websocket"
  std::chrono::milliseconds handshake_timeout{10'000};
  /// Accepts or refuses each upgrade; empty = accept everyone.
  actors::connect_handler on_connect;
  /// The actor system, and the registered name of the supervisor that starts a connection actor
  /// for each upgraded session (net/hand_off.hpp).
  caf::actor_system* system = nullptr;
  caf::atom_value connections_supervisor{};
};

} // namespace switchboard::net

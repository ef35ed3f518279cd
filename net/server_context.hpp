#pragma once
/// What the listener and its sessions need from the server; owned by the server, outlives them.

#include "actors/connect.hpp"
#include "actors/connection.hpp"
#include "net/limits.hpp"
#include "net/session_registry.hpp"
#include "net/ws_session.hpp"

#include <caf/actor_system.hpp>
#include <caf/atom.hpp>

#include <memory>
#include <string>

namespace switchboard::net {

struct server_context {
  accept_limits accept;
  session_options session;
  session_registry* sessions = nullptr;
  /// The WebSocket endpoint is socket_path + "/websocket". No default here: the server sets it
  /// from its listener config, which holds the one default.
  std::string socket_path;
  /// Accepts or refuses each upgrade; empty = accept everyone.
  actors::connect_handler on_connect;
  /// The actor system, and the registered name of the supervisor that starts a connection actor
  /// for each upgraded session (net/hand_off.hpp).
  caf::actor_system* system = nullptr;
  caf::atom_value connections_supervisor{};
};

} // namespace switchboard::net

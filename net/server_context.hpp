#pragma once
/// What the listener and its sessions need from the server; owned by the server, outlives them.

#include "actors/connect.hpp"
#include "actors/connection.hpp"
#include "net/limits.hpp"
#include "net/session_registry.hpp"
#include "net/ws_session.hpp"

#include <caf/actor.hpp>

#include <functional>
#include <memory>
#include <string>

namespace switchboard::net {

/// The accept limits are a base, not a member, so HTTP sessions read `ctx.max_connections`
/// directly while the server still assigns the limits whole.
struct server_context : accept_limits {
  session_options session;
  session_registry* sessions = nullptr;
  /// The WebSocket endpoint is socket_path + "/websocket". No default here: the server sets it
  /// from its listener config, which holds the one default.
  std::string socket_path;
  /// Accepts or refuses each upgrade; empty = accept everyone.
  actors::connect_handler on_connect;
  /// Starts the connection actor of a freshly upgraded session under the connections
  /// supervisor, which then starts the session (`early` = bytes read past the request).
  std::function<void(std::shared_ptr<ws_session> session,
                     std::shared_ptr<const actors::socket_info> info, std::string early)>
    start_connection;
};

} // namespace switchboard::net

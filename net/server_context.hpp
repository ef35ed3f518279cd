#pragma once
/// What the listener and its sessions need from the server; owned by the server, outlives them.

#include "actors/connect.hpp"
#include "actors/connection.hpp"
#include "net/session_registry.hpp"
#include "net/ws_session.hpp"

#include <caf/actor.hpp>

#include <chrono>
#include <functional>
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
  /// Starts the connection actor of a freshly upgraded session under the connections
  /// supervisor, which then starts the session (`early` = bytes read past the request).
  std::function<void(std::shared_ptr<ws_session> session,
                     std::shared_ptr<const actors::socket_info> info, std::string early)>
    start_connection;
};

} // namespace switchboard::net

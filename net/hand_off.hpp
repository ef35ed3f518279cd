#pragma once
/// The step from an upgraded socket to the actors: the HTTP session asks the connections
/// supervisor for a connection actor (a dynamic child started with the session as its port) and
/// starts reading the WebSocket on the reply. Until then nothing is read, so no frame can reach
/// an actor that does not exist yet.

#include "actors/socket_info.hpp"
#include "net/server_context.hpp"
#include "net/ws_session.hpp"

#include <memory>
#include <string>

namespace switchboard::net {

/// Hands `session` over to a fresh connection actor; `early` are bytes the HTTP parser read past
/// the upgrade request. When no connection actor can be had (the connections supervisor is
/// restarting, the start failed, or no answer came within handshake_timeout) the session is
/// closed with 1013 (try again later), which phoenix.js reconnects after.
void hand_off(const server_context& ctx, std::shared_ptr<ws_session> session,
              std::shared_ptr<const actors::socket_info> info, std::string early);

} // namespace switchboard::net

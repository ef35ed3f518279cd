#pragma once
/// The connection actor: one per WebSocket connection. Owns the topic → join_ref map and applies
/// the per-message rules of docs/protocol.md §2.2 (heartbeat, join, duplicate join, leave,
/// unmatched topic, channel limit). Frames a room produces go straight from the room to the socket;
/// the connection writes only its own replies and the phx_error of a crashed room.
///
/// Its interface is `connection_actor` (actors/interfaces.hpp): inbound_frame (a complete
/// frame from the session; a rate-limited one is only answered {"reason":"rate_limited"}),
/// rate_limit_exceeded (close with 1008), peer_closed (exit normally) and channel_closed (a room
/// stopped this channel gracefully). Down messages of rooms: a crashed room → phx_error
/// {"reason":"channel_crash"} for its topic.
/// Exits: normally when the peer closed, after closing a connection that sent an undecodable
/// frame (1007) or kept flooding past its rate limit (1008); on any other exit reason its socket
/// is closed with 1011 (1001 for shutdown).

#include "actors/interfaces.hpp"
#include "actors/limits.hpp"
#include "actors/outbound.hpp"
#include "actors/registry.hpp"
#include "actors/router.hpp"
#include "actors/socket_info.hpp"
#include "supervision/child_spec.hpp"

#include <caf/actor_system.hpp>

#include <memory>

namespace switchboard::actors {

/// What every connection shares; immutable after start.
struct connection_context {
  std::shared_ptr<const router> routes;
  std::shared_ptr<const registry> rooms;
  connection_limits limits;
};

[[nodiscard]] connection_actor spawn_connection(caf::actor_system& sys, port_ptr port,
                                                std::shared_ptr<const socket_info> socket,
                                                std::shared_ptr<const connection_context> ctx);

/// The start function of the connections supervisor's dynamic children, whose arguments are
/// (port_ptr, std::shared_ptr<const socket_info>) (net/hand_off.hpp passes them).
[[nodiscard]] supervision::start_fun
connection_starter(std::shared_ptr<const connection_context> ctx);

} // namespace switchboard::actors

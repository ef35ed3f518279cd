#pragma once
/// The connection actor: one per WebSocket connection. Owns the topic → join_ref map and applies
/// the per-message rules of docs/protocol.md §2.2 (heartbeat, join, duplicate join, leave, unmatched
/// topic, channel limit). Frames a room produces go straight from the room to the socket; the
/// connection writes only its own replies and the phx_error of a crashed room.
///
/// Handles:
///   (inbound_atom, std::string bytes, bool binary, bool rate_limited)  a complete frame from the
///       session; a rate-limited one is only answered {"reason":"rate_limited"}
///   (rate_limit_exceeded_atom)                      too many refusals in a row: close with 1008
///   (peer_closed_atom)                              the socket closed: exits normally
///   (closed_atom, topic, join_ref)                  a room stopped this channel gracefully
///   down messages of rooms: a crashed room → phx_error {"reason":"channel_crash"} for its topic
/// Exits: normally when the peer closed, after closing a connection that sent an undecodable
/// frame (1007) or kept flooding past its rate limit (1008); on any other exit reason its socket
/// is closed with 1011 (1001 for shutdown).

#include "actors/limits.hpp"
#include "actors/member.hpp"
#include "actors/outbound.hpp"
#include "actors/registry.hpp"
#include "actors/router.hpp"

#include <caf/actor.hpp>
#include <caf/actor_system.hpp>

#include <memory>

namespace switchboard::actors {

/// What every connection shares; immutable after start. The limits are a base, not a member, so
/// connections read `ctx->max_channels` directly while the server still assigns them whole.
struct connection_context : connection_limits {
  std::shared_ptr<const router> routes;
  std::shared_ptr<const registry> rooms;
};

[[nodiscard]] caf::actor spawn_connection(caf::actor_system& sys, port_ptr port,
                                          std::shared_ptr<const socket_info> socket,
                                          std::shared_ptr<const connection_context> ctx);

} // namespace switchboard::actors

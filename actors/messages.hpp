#pragma once
/// The messages exchanged by connection, registry and room actors (docs/architecture.md).

#include "actors/member.hpp"
#include "actors/outbound.hpp"
#include "actors/router.hpp"
#include "protocol/message.hpp"

#include <caf/allowed_unsafe_message_type.hpp>
#include <caf/atom.hpp>

#include <chrono>
#include <memory>
#include <string>

namespace switchboard::actors {

// Commands are verbs, events past tense.
using inbound_atom = caf::atom_constant<caf::atom("sb_inbound")>;   ///< session → connection: a frame
/// session → connection: refusals in a row passed rate_limit_close_after
using rate_limit_exceeded_atom = caf::atom_constant<caf::atom("sb_ratelim")>;
using peer_closed_atom = caf::atom_constant<caf::atom("sb_pclosed")>; ///< session → connection
using join_atom = caf::atom_constant<caf::atom("sb_join")>;         ///< connection → registry → room
using leave_atom = caf::atom_constant<caf::atom("sb_leave")>;       ///< connection → room
using publish_atom = caf::atom_constant<caf::atom("sb_publish")>;   ///< connection → room
using closed_atom = caf::atom_constant<caf::atom("sb_closed")>;     ///< room → connection: channel closed
using room_started_atom = caf::atom_constant<caf::atom("sb_rstart")>; ///< room → registry
using idle_atom = caf::atom_constant<caf::atom("sb_idle")>;         ///< room → registry: no members
using stop_atom = caf::atom_constant<caf::atom("sb_stop")>;         ///< registry → room
using info_atom = caf::atom_constant<caf::atom("sb_info")>;         ///< anyone → room: handle_info
using sync_atom = caf::atom_constant<caf::atom("sb_sync")>;       ///< connection → room: answered in order
using timer_atom = caf::atom_constant<caf::atom("sb_timer")>;     ///< room → itself
using broadcast_atom = caf::atom_constant<caf::atom("sb_bcast")>;   ///< anyone → registry → room

/// A client's phx_join on its way to the room. Carries everything the room needs to write to the
/// member directly, so that the join reply is the first frame of the channel.
struct join_request {
  caf::actor connection;
  port_ptr port;
  std::shared_ptr<const socket_info> socket;
  std::shared_ptr<const actors::route> route;
  protocol::message msg; ///< join_ref already replaced by ref when the client sent null (V1)
  /// Once this has passed the room no longer admits the join (join_outcome::expired): the
  /// connection gives up waiting later than that, so a join it answered as failed never takes
  /// effect.
  std::chrono::steady_clock::time_point deadline;
};

/// A room's answer to a join_request. The room writes the join reply itself (so it precedes
/// every frame of the channel), except for an expired join: the connection answers that one.
enum class join_outcome : std::uint8_t { admitted, refused, expired };

/// A server-side broadcast to a topic (no sender to exclude).
struct broadcast_request {
  std::string topic;
  std::string event;
  protocol::payload payload;
};

} // namespace switchboard::actors

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(switchboard::actors::join_request)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(switchboard::actors::join_outcome)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(switchboard::actors::broadcast_request)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(switchboard::protocol::message)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(boost::json::value)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(switchboard::actors::port_ptr)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(std::shared_ptr<const switchboard::actors::socket_info>)

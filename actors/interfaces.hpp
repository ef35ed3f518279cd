#pragma once
/// The typed interfaces of the three actors a client's frames pass through, and the messages
/// they exchange (docs/architecture.md draws the path):
///
///   ws_session ──inbound_frame──▶ connection ──join_request──▶ registry shard ──▶ room
///                                 connection ◀──join_answer (from the room)
///                                 connection ──client_event / leave_request──▶ room
///   room ──frames──▶ the member's outbound_port (directly, never through the connection)
///
/// Each message is a named struct: the compiler checks every send against the receiver's
/// interface, and a handler's signature says what it receives. Messages are commands (verbs)
/// or events (past tense).

#include "actors/outbound.hpp"
#include "actors/socket_info.hpp"
#include "protocol/message.hpp"

#include <caf/allowed_unsafe_message_type.hpp>
#include <caf/message.hpp>
#include <caf/replies_to.hpp>
#include <caf/typed_actor.hpp>

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

namespace switchboard::actors {

struct route; // actors/router.hpp

// -- connection: one per WebSocket connection (actors/connection.hpp) --------------------------

/// session → connection: one complete client message. A rate-limited one is only answered
/// {"reason":"rate_limited"}.
struct inbound_frame {
  std::string bytes;
  bool binary = false;
  bool rate_limited = false;
};

/// session → connection: more refusals in a row than rate_limit_close_after; close with 1008.
struct rate_limit_exceeded {};

/// session → connection: the socket closed; the connection exits normally.
struct peer_closed {};

/// room → connection: the room ended the channel `topic` incarnated by `join_ref` (a graceful
/// stop, or a member-level crash whose phx_error the room already wrote).
struct channel_closed {
  std::string topic;
  boost::json::value join_ref;
};

using connection_actor =
  caf::typed_actor<caf::reacts_to<inbound_frame>, caf::reacts_to<rate_limit_exceeded>,
                   caf::reacts_to<peer_closed>, caf::reacts_to<channel_closed>>;

// -- room, as its members' connections see it --------------------------------------------------

/// connection → room: a client event on a joined topic (handed to the channel's handle_in).
struct client_event {
  protocol::message msg;
};

/// connection → room: the client's phx_leave; the room writes the reply and the phx_close.
struct leave_request {
  protocol::message msg;
};

/// connection → room: answered once the room handled every message the connection sent before
/// (a connection closing for abuse waits for it, so replies precede the close frame).
struct sync_request {};

using room_member_actor =
  caf::typed_actor<caf::reacts_to<client_event>, caf::reacts_to<leave_request>,
                   caf::replies_to<sync_request>::with<bool>>;

// -- joining -----------------------------------------------------------------------------------

/// A client's phx_join on its way to the room. Carries everything the room needs to write to the
/// member directly, so that the join reply is the first frame of the channel.
struct join_request {
  connection_actor connection;
  port_ptr port;
  std::shared_ptr<const socket_info> socket;
  std::shared_ptr<const actors::route> route;
  protocol::message msg; ///< join_ref already replaced by ref when the client sent null (V1)
  /// Once this has passed the room no longer admits the join (join_outcome::expired): the
  /// connection gives up waiting later than that, so a join it answered as failed never takes
  /// effect.
  std::chrono::steady_clock::time_point deadline;
};

/// What became of a join. The room writes the join reply itself (so it precedes every frame of
/// the channel), except for an expired join: the connection answers that one.
enum class join_outcome : std::uint8_t { admitted, refused, expired };

/// room → connection, the answer to a join_request (through the registry shard, which
/// delegates the request to the room).
struct join_answer {
  join_outcome outcome = join_outcome::refused;
  room_member_actor room;
};

// -- room: one per topic with members (actors/room.hpp) ----------------------------------------

/// A server-side broadcast to a topic (no sender to exclude).
struct broadcast_request {
  std::string topic;
  std::string event;
  protocol::payload payload;
};

/// anyone → room: handed to the channel's handle_info (typed there; see actors/channel.hpp).
struct info_message {
  caf::message content;
};

/// a member's session → room (through the outbound_port's drained callback): the member of
/// `connection` may be pushed to again. `request` is the room's number for the request it
/// answers, so a notice meant for a member that left (even one that rejoined since) is told apart
/// and ignored.
struct member_drained {
  caf::actor_id connection = 0;
  std::uint64_t request = 0;
};

/// registry shard → room: nobody is joining; exit normally.
struct stop_room {};

/// room → itself: a timer of the channel (send_after, every, call_after) fired.
struct timer_fired {
  std::uint64_t id = 0;
};

/// room → itself: the grace period for a room nobody joined has passed.
struct idle_check {};

using room_actor =
  room_member_actor::extend<caf::replies_to<join_request>::with<join_answer>,
                            caf::reacts_to<broadcast_request>, caf::reacts_to<info_message>,
                            caf::reacts_to<member_drained>, caf::reacts_to<stop_room>,
                            caf::reacts_to<timer_fired>, caf::reacts_to<idle_check>>;

// -- registry shard: topic → room for a partition of the topics (actors/registry.hpp) ----------

/// room → registry shard, once running: joins for `topic` may now be forwarded to `room`.
struct room_started {
  std::string topic;
  room_actor room;
};

/// room → registry shard: `room` has no members; it had seen `joins_seen` joins by then (the
/// shard stops it only if it forwarded no join since).
struct room_idle {
  std::string topic;
  std::uint64_t joins_seen = 0;
  room_actor room;
};

using registry_shard_actor =
  caf::typed_actor<caf::replies_to<join_request>::with<join_answer>, caf::reacts_to<room_started>,
                   caf::reacts_to<room_idle>, caf::reacts_to<broadcast_request>>;

} // namespace switchboard::actors

// Local messages only: none of these ever leaves the process, so none needs serializing.
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(switchboard::actors::inbound_frame)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(switchboard::actors::rate_limit_exceeded)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(switchboard::actors::peer_closed)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(switchboard::actors::channel_closed)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(switchboard::actors::client_event)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(switchboard::actors::leave_request)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(switchboard::actors::sync_request)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(switchboard::actors::join_request)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(switchboard::actors::join_outcome)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(switchboard::actors::join_answer)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(switchboard::actors::broadcast_request)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(switchboard::actors::info_message)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(switchboard::actors::member_drained)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(switchboard::actors::stop_room)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(switchboard::actors::timer_fired)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(switchboard::actors::idle_check)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(switchboard::actors::room_started)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(switchboard::actors::room_idle)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(switchboard::actors::port_ptr)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(std::shared_ptr<const switchboard::actors::socket_info>)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(std::shared_ptr<const switchboard::actors::route>)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(switchboard::protocol::message)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(boost::json::value)

#pragma once
/// The room actor: one per topic that has members, running that topic's channel.
///
/// Handles:
///   (join_atom, join_request)        → replies (join_outcome, actor room); the join reply frame
///                                      is written to the member before any other frame
///   (leave_atom, message)            from a member's connection
///   (publish_atom, message)          from a member's connection
///   (broadcast_atom, broadcast_request) a server-side broadcast
///   (info_atom, caf::message)        handed to the channel's handle_info when the message holds
///                                    its Info (actors/info.hpp: make_info_message), else ignored
///   member_drained                   from a member's session (actors/drained.hpp): the channel's
///                                    handle_drained
///   (sync_atom)                      replies true once every earlier message was handled
///   (stop_atom)                      from the registry once idle: exits normally
///   down messages of member connections: the member leaves (closed)
/// Emits:
///   (room_started_atom, topic)       to the registry shard when it starts
///   (idle_atom, topic, joins_seen)   to the registry shard when the last member left, or when
///                                    nobody joined within a grace period
///   (closed_atom, topic, join_ref)   to a connection whose member the channel stopped gracefully,
///                                    or whose channel crashed (the member got phx_error)
/// Member-level crashes (after_join, handle_in, handle_out, leave throwing, or handle_in
/// returning an abnormal stop) end that member's channel only; the room keeps running.
/// Exits: normally on stop_atom; with an error when a room-level callback (handle_info, a timer)
/// throws or stops abnormally (a crash: member connections monitor the room and send phx_error
/// to their clients). Rooms are temporary children: a crashed room is not restarted, the next
/// join starts a fresh one.

#include "actors/router.hpp"
#include "supervision/child_spec.hpp"

#include <caf/actor.hpp>
#include <caf/actor_system.hpp>
#include <caf/allowed_unsafe_message_type.hpp>

#include <memory>
#include <string>

namespace switchboard::actors {

struct room_limits {
  /// Messages waiting in the room's mailbox beyond which publishes are answered with
  /// {"reason":"overloaded"} instead of being handled.
  std::size_t mailbox_limit = 10'000;
};

/// Spawns a room for `topic` served by `r`. The room announces itself to `registry_shard`
/// (room_started_atom) and sends it its idle notices.
[[nodiscard]] caf::actor spawn_room(caf::actor_system& sys, std::string topic,
                                    std::shared_ptr<const route> r, caf::actor registry_shard,
                                    room_limits limits);

/// The start function of a room supervisor's dynamic children: the arguments are
/// (std::string topic, std::shared_ptr<const route>, caf::actor registry_shard, room_limits).
[[nodiscard]] supervision::start_result start_room(caf::actor_system& sys, const caf::message& args);

} // namespace switchboard::actors

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(switchboard::actors::room_limits)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(std::shared_ptr<const switchboard::actors::route>)

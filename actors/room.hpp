#pragma once
/// The room actor: one per topic that has members, running that topic's channel.
///
/// Its interface is `room_actor` (actors/interfaces.hpp): joins (answered with a join_answer;
/// the join reply frame is written to the member before any other frame), client events and
/// leaves from member connections, server-side broadcasts, info messages for the channel, syncs,
/// stop_room from the registry once idle, and member_drained from a member's session (the
/// channel's handle_drained). Down messages of member connections: the member
/// leaves (closed).
/// Emits room_started to its registry shard when it starts, room_idle when the last member
/// left or nobody joined within a grace period, and channel_closed to a connection whose member
/// the channel stopped gracefully or whose channel crashed (the member got phx_error).
/// Member-level crashes (after_join, handle_in, handle_out, leave throwing, or handle_in
/// returning an abnormal stop) end that member's channel only; the room keeps running.
/// Exits: normally on stop_room; with an error when a room-level callback (handle_info, a timer)
/// throws or stops abnormally (a crash: member connections monitor the room and send phx_error
/// to their clients). Rooms are temporary children: a crashed room is not restarted, the next
/// join starts a fresh one.

#include "actors/interfaces.hpp"
#include "actors/limits.hpp" // room_limits
#include "actors/router.hpp"
#include "supervision/child_spec.hpp"

#include <caf/actor_system.hpp>
#include <caf/allowed_unsafe_message_type.hpp>

#include <memory>
#include <string>

namespace switchboard::actors {

/// Spawns a room for `topic` served by `r`. The room announces itself to `registry_shard`
/// (room_started) and sends it its idle notices.
[[nodiscard]] room_actor spawn_room(caf::actor_system& sys, std::string topic,
                                    std::shared_ptr<const route> r,
                                    registry_shard_actor registry_shard, room_limits limits);

/// The start function of a room supervisor's dynamic children: the arguments are
/// (std::string topic, std::shared_ptr<const route>, registry_shard_actor, room_limits).
[[nodiscard]] supervision::start_result start_room(caf::actor_system& sys,
                                                   const caf::message& args);

} // namespace switchboard::actors

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(switchboard::actors::room_limits)

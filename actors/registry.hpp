#pragma once
/// The topic registry: maps topics to room actors. Partitioned into shards by topic hash so that
/// joins are not serialized through one hot mailbox; each shard is an actor.
///
/// A shard handles:
///   (join_atom, join_request)   finds or spawns the topic's room and delegates the request to it
///                               (the room answers the connection directly)
///   (broadcast_atom, broadcast_request)  forwards to the room, if the topic has one
///   (idle_atom, topic, joins_seen) from a room with no members: if every join forwarded to it
///                               has been seen, the entry is erased and the room told to stop
///   exits of its (linked) rooms: the entry is erased (a crashed room is created anew by the next join)
/// Exits: on an exit message from anyone but its rooms; its rooms then exit with it.

#include "actors/room.hpp"

#include <caf/actor.hpp>
#include <caf/actor_system.hpp>

#include <cstddef>
#include <string_view>
#include <vector>

namespace switchboard::actors {

/// Spawns one registry shard.
/// Spawns one registry shard; its rooms get `limits`.
[[nodiscard]] caf::actor spawn_registry_shard(caf::actor_system& sys, std::size_t index,
                                              room_limits limits);

/// The shards and the topic → shard mapping; immutable after construction, shared by all.
class registry {
public:
  explicit registry(std::vector<caf::actor> shards) : shards_(std::move(shards)) {}

  [[nodiscard]] const caf::actor& shard_for(std::string_view topic) const noexcept;
  [[nodiscard]] const std::vector<caf::actor>& shards() const noexcept { return shards_; }

private:
  std::vector<caf::actor> shards_;
};

} // namespace switchboard::actors

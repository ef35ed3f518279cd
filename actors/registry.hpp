#pragma once
/// The topic registry: maps topics to room actors. Partitioned into shards by topic hash so that
/// joins are not serialized through one hot mailbox. Each shard is an actor paired with a room
/// supervisor (simple_one_for_one) that starts its rooms; rooms are temporary children, so a
/// crashed room is never restarted (and never counts toward any restart intensity).
///
/// A shard handles:
///   (join_atom, join_request)   finds the topic's room, or asks the room supervisor to start
///                               one, and delegates the request to it (the room answers the
///                               connection directly); joins wait while the room starts
///   (room_started_atom, topic)  from a room that just started
///   (broadcast_atom, broadcast_request)  forwards to the room, if the topic has one
///   (idle_atom, topic, joins_seen) from a room with no members: if every join forwarded to it
///                               has been seen, the entry is erased and the room told to stop
///                               (a normal exit)
///   down messages of rooms: a crashed room's entry is erased, so the next join starts a fresh
///                               room (or, should joins be waiting, a fresh room is started for
///                               them); joins forwarded to the dead room are answered with an
///                               error by CAF (the connection replies "join crashed")
/// Exits: when its supervisor stops it.

#include "actors/room.hpp"

#include <caf/actor.hpp>
#include <caf/actor_system.hpp>

#include <cstddef>
#include <memory>
#include <mutex>
#include <string_view>
#include <vector>

namespace switchboard::actors {

/// Spawns one registry shard whose rooms are started by `room_supervisor` and get `limits`.
[[nodiscard]] caf::actor spawn_registry_shard(caf::actor_system& sys, std::size_t index,
                                              room_limits limits, caf::actor room_supervisor);

/// A handle that changes when its actor is restarted by a supervisor. Thread-safe.
class actor_slot {
public:
  [[nodiscard]] caf::actor get() const {
    std::lock_guard lock{mutex_};
    return actor_;
  }
  void set(caf::actor a) {
    std::lock_guard lock{mutex_};
    actor_ = std::move(a);
  }

private:
  mutable std::mutex mutex_;
  caf::actor actor_;
};

/// The shards and the topic → shard mapping, shared by every connection.
class registry {
public:
  explicit registry(std::vector<std::shared_ptr<actor_slot>> shards) : shards_(std::move(shards)) {}

  /// The current shard of `topic` (invalid while that shard restarts).
  [[nodiscard]] caf::actor shard_for(std::string_view topic) const;

private:
  std::vector<std::shared_ptr<actor_slot>> shards_;
};

} // namespace switchboard::actors

#pragma once
/// The topic registry: maps topics to room actors. Partitioned into shards by topic hash so that
/// joins are not serialized through one hot mailbox. Each shard is an actor paired with a room
/// supervisor (simple_one_for_one) that starts its rooms; rooms are temporary children, so a
/// crashed room is never restarted (and never counts toward any restart intensity).
///
/// A shard's interface is `registry_shard_actor` (actors/interfaces.hpp):
///   join_request     finds the topic's room, or asks the room supervisor to start one, and
///                    delegates the request to it (the room answers the connection directly);
///                    joins wait while the room starts
///   room_started     from a room that just started: the joins waiting for it are forwarded
///   broadcast_request  forwarded to the topic's room, if it has one
///   room_idle        from a room with no members: if every join forwarded to it has been seen,
///                    the entry is erased and the room told to stop (a normal exit)
///   down messages of rooms: a crashed room's entry is erased, so the next join starts a fresh
///                    room; joins forwarded to the dead room are answered with an error by CAF
///                    (the connection replies "join crashed")
/// Exits: when its supervisor stops it.
///
/// Shard i is registered under the name shard_name(i) (supervision/names.hpp) and its room
/// supervisor under rooms_name(i): connections find the current shard by name, so a restarted
/// partition needs to tell nobody.

#include "actors/room.hpp"

#include <caf/actor_system.hpp>
#include <caf/atom.hpp>

#include <cstddef>
#include <memory>
#include <string_view>
#include <vector>

namespace switchboard::actors {

/// The registered names of shard `index` and of its room supervisor.
[[nodiscard]] caf::atom_value shard_name(std::size_t index);
[[nodiscard]] caf::atom_value rooms_name(std::size_t index);

/// Spawns shard `index`, whose rooms are started by the room supervisor registered under
/// rooms_name(index) and get `limits`.
[[nodiscard]] registry_shard_actor spawn_registry_shard(caf::actor_system& sys, std::size_t index,
                                                        room_limits limits);

/// The topic → shard mapping, shared by every connection.
class registry {
public:
  registry(caf::actor_system& sys, std::size_t shards);

  /// The current shard of `topic` (a dead one while its partition restarts: a join sent to it
  /// fails at once).
  [[nodiscard]] registry_shard_actor shard_for(std::string_view topic) const;

private:
  caf::actor_system* sys_;
  std::vector<caf::atom_value> names_;
};

} // namespace switchboard::actors

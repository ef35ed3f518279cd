#pragma once
/// The server's supervision tree (docs/architecture.md has the picture and the reasons):
///
///   switchboard          rest_for_one, intensity 3 / 60 s
///   ├─ partitions        one_for_one, intensity 3 / 10 s
///   │  └─ partition_<i>  one_for_all, intensity 3 / 10 s   (one per scheduler thread)
///   │     ├─ rooms_<i>   simple_one_for_one, intensity 10 / 1 s; rooms: temporary, shutdown 5 s
///   │     └─ shard_<i>   registry shard, permanent worker, shutdown 5 s
///   ├─ connections       simple_one_for_one; connections: temporary, shutdown 5 s
///   └─ listener          permanent worker, shutdown 5 s
///
/// Start order is top to bottom, stop order the reverse: the listener stops accepting first,
/// then every connection closes with 1001, then the rooms stop.

#include "actors/connection.hpp"
#include "actors/registry.hpp"
#include "supervision/protocol.hpp"
#include "supervision/report.hpp"

#include <caf/actor_system.hpp>
#include <caf/expected.hpp>
#include <caf/scoped_actor.hpp>

#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace switchboard::server {

struct tree_settings {
  actors::room_limits room_limits;
  /// Spawns a connection actor from the dynamic child arguments of the connections supervisor.
  supervision::start_fun start_connection;
  /// Binds the listener and spawns the actor that owns it; an error if the address is taken.
  supervision::start_fun start_listener;
  /// Receives every supervisor report.
  supervision::report_handler on_report;
};

struct tree {
  supervision::supervisor_actor root;
  std::vector<std::shared_ptr<actors::actor_slot>> shards; ///< for the connections' registry
  std::shared_ptr<actors::actor_slot> connections;        ///< the connections supervisor
};

/// The tree's slots for `partitions` partitions, before anything runs: connections can be
/// wired to them before the listener accepts the first one.
[[nodiscard]] tree make_tree(std::size_t partitions);

/// Starts the whole tree into `t` (blocking until every static child started).
[[nodiscard]] caf::error start_tree(caf::actor_system& sys, const tree_settings& s, tree& t);

/// The live tree as indented text: each supervisor with its strategy and its children (dynamic
/// children are counted, not listed).
[[nodiscard]] std::string describe_tree(caf::scoped_actor& self, const tree& t);

} // namespace switchboard::server

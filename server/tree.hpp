#pragma once
/// The server's supervision tree. Its shape is defined once, in tree.cpp's specs;
/// docs/supervision.md shows the output of describe_tree for it (tests/server/tree_test.cpp keeps
/// the two equal), and `switchboard --print-tree` prints the live one. Start order is top to
/// bottom, stop order the reverse: the listener stops accepting first, then every connection closes
/// with 1001, then the rooms stop.
///
/// Parts find each other by registered name (supervision/names.hpp), never by a handle kept from
/// start: a restarted child takes its name over.

#include "actors/room.hpp"
#include "supervision/protocol.hpp"
#include "supervision/report.hpp"

#include <caf/actor_system.hpp>
#include <caf/atom.hpp>
#include <caf/expected.hpp>
#include <caf/scoped_actor.hpp>

#include <cstddef>
#include <string>

namespace switchboard::server {

/// The registered names of the connections supervisor and of the listener (shards and room
/// supervisors: see actors/registry.hpp).
inline constexpr caf::atom_value connections_name = caf::atom("sb_conns");
inline constexpr caf::atom_value listener_name = caf::atom("sb_listen");

struct tree_settings {
  std::size_t partitions = 1;
  actors::room_limits room_limits;
  /// Spawns a connection actor from the dynamic child arguments of the connections supervisor
  /// (actors::connection_starter).
  supervision::start_fun start_connection;
  /// Binds the listener and spawns the actor that owns it (net::listener_starter).
  supervision::start_fun start_listener;
  /// Receives every supervisor report.
  supervision::report_handler on_report;
};

/// Starts the whole tree, blocking until every static child started; returns the root.
[[nodiscard]] caf::expected<supervision::supervisor_actor> start_tree(caf::actor_system& sys,
                                                                      const tree_settings& s);

/// The live tree under `root` as indented text: each supervisor with its strategy and its
/// children (dynamic children are counted, not listed).
[[nodiscard]] std::string describe_tree(caf::scoped_actor& self,
                                        const supervision::supervisor_actor& root);

} // namespace switchboard::server

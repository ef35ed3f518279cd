#pragma once
/// The connections actor: the parent of every connection actor. Connection actors are temporary
/// children: never restarted (the client reconnects instead), stopped with the server.
///
/// Handles:
///   (adopt_atom, actor)  starts supervising a freshly spawned connection actor
///   (count_atom)         replies with the number of live connections
///   down messages of connections: forgets them
/// Exits: when sent an exit; every child then receives the same exit reason (user_shutdown makes
/// each connection close its socket with 1001).

#include <caf/actor.hpp>
#include <caf/actor_system.hpp>
#include <caf/atom.hpp>

namespace switchboard::actors {

using adopt_atom = caf::atom_constant<caf::atom("sb_adopt")>;
using count_atom = caf::atom_constant<caf::atom("sb_count")>;

[[nodiscard]] caf::actor spawn_connections(caf::actor_system& sys);

} // namespace switchboard::actors

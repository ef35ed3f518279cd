#pragma once
/// The message a member's connection sends its room (through the outbound_port's drained
/// callback) once its outbound queue has drained: the room runs the channel's handle_drained.

#include <caf/actor_addr.hpp>
#include <caf/meta/type_name.hpp>

#include <cstdint>

namespace switchboard::actors {

/// connection's session → room: the member of `connection` may be pushed to again. `request`
/// is the room's number for the request it answers, so a notice meant for a member that left
/// (even one that rejoined since) is told apart and ignored.
struct member_drained {
  caf::actor_id connection = 0;
  std::uint64_t request = 0;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, member_drained& x) {
  return f(caf::meta::type_name("member_drained"), x.connection, x.request);
}

} // namespace switchboard::actors

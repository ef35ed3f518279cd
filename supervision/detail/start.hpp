#pragma once

#include <caf/actor.hpp>
#include <caf/expected.hpp>
#include <caf/fwd.hpp>
#include <caf/message.hpp>

#include "supervision/child_spec.hpp"
#include "supervision/report.hpp"

namespace switchboard::supervision::detail {

/// What a start function gave, once checked.
struct spawned_child {
  caf::actor handle;            ///< invalid: the start function returned ignore
  bool awaits_init_ack = false; ///< start_result::with_init_ack
};

/// Calls `spec.start`: the spawned child, or the start error (an exception becomes
/// caf::sec::runtime_error, an invalid handle bad_start_result).
caf::expected<spawned_child> run_start(const child_spec& spec, caf::actor_system& sys,
                                       const caf::message& args);

/// The offender field of a report about `spec` running as `child` (may be invalid).
offender_info make_offender(const child_spec& spec, const caf::actor& child);

} // namespace switchboard::supervision::detail

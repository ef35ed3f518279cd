#pragma once

#include <vector>

#include <caf/error.hpp>

#include "supervision/child_spec.hpp"
#include "supervision/supervisor_flags.hpp"

namespace switchboard::supervision {

/// Checks one child spec: id present, start present, significant only on transient or
/// temporary children, a shutdown timeout > 0 ms. Returns an empty error when valid, else a
/// `sup_error` whose context names the child. Pure; any thread.
[[nodiscard]] caf::error validate_child_spec(const child_spec& spec);

/// Checks flags and specs as start_supervisor does: intensity >= 0, period > 0, exactly one
/// spec for simple_one_for_one, each spec valid, ids unique. The first problem found wins
/// (flags, then specs in order). Significant children with auto_shutdown never are allowed
/// (OTP: the flag is then irrelevant). Pure; any thread.
[[nodiscard]] caf::error validate(const supervisor_flags& flags,
                                  const std::vector<child_spec>& specs);

} // namespace switchboard::supervision

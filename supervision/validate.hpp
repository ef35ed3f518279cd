#pragma once

#include <vector>

#include <caf/error.hpp>

#include "supervision/child_spec.hpp"
#include "supervision/supervisor_flags.hpp"

namespace switchboard::supervision {

/// Checks one child spec as OTP's check_childspec does: id present, start present, a
/// shutdown timeout >= 0 ms (`invalid_shutdown`), and `significant` only on a transient or
/// temporary child of a supervisor whose auto_shutdown is not `never` (`bad_combination`).
/// Returns an empty error when valid, else a `sup_error` whose context names the child.
/// Pure; any thread.
[[nodiscard]] caf::error validate_child_spec(const child_spec& spec,
                                             auto_shutdown_mode auto_shutdown);

/// Checks flags and specs as start_supervisor does: intensity >= 0, period > 0, exactly one
/// spec for simple_one_for_one, each spec valid, ids unique. The first problem found wins
/// (flags, then specs in order). Pure; any thread.
[[nodiscard]] caf::error validate(const supervisor_flags& flags,
                                  const std::vector<child_spec>& specs);

} // namespace switchboard::supervision

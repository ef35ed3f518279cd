#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>

#include <caf/atom.hpp>
#include <caf/error.hpp>
#include <caf/fwd.hpp>

namespace switchboard::supervision {

/// Error codes of the supervision library, carried in `caf::error` with the category
/// `error_category` ("supervisor"). Code 0 is reserved by CAF for "no error".
enum class sup_error : uint8_t {
  // -- invalid flags or child specs (refused by start_supervisor / start_child) --
  /// A child spec has an empty `id`.
  missing_id = 1,
  /// Two child specs share one `id`. Context: the id.
  duplicate_id,
  /// A child spec has no `start` function. Context: the id.
  missing_start,
  /// OTP `bad_combination`: `significant = true` on a permanent child, or under
  /// `auto_shutdown = never`. Context: the id and the combination, e.g.
  /// "restart=permanent,significant=true".
  bad_combination,
  /// OTP `invalid_shutdown`: `shutdown` is a negative timeout (0 ms is valid). Context: the id.
  invalid_shutdown,
  /// `simple_one_for_one` needs exactly one child spec. Context: the number given.
  dynamic_needs_one_spec,
  /// `intensity` is negative.
  invalid_intensity,
  /// `period` is zero or negative.
  invalid_period,
  // -- start failures --
  /// A start function returned an invalid actor handle (neither an actor, an error nor
  /// `ignore`). Context: the id.
  bad_start_result,
  /// A child failed to start while its supervisor started; the supervisor did not start
  /// (OTP `{shutdown, {failed_to_start_child, Id, Reason}}`). Context: the child id
  /// (std::string) and the start error itself (caf::error); see failed_child().
  failed_to_start_child,
  // -- API call outcomes (OTP's {error, ...} tuples) --
  /// No child with that id or handle.
  not_found,
  /// The child is running (restart_child / delete_child need a stopped child).
  running,
  /// The child is waiting for a restart retry.
  restarting,
  /// start_child with a spec whose id exists, child stopped (OTP: already_present).
  already_present,
  /// start_child with a spec whose id exists, child running (OTP: {already_started, Pid}).
  already_started,
  /// The operation does not exist for simple_one_for_one supervisors (restart_child,
  /// delete_child, start_child with a child spec).
  simple_one_for_one,
  /// start_child with extra arguments on a supervisor that is not simple_one_for_one.
  not_simple_one_for_one,
};

/// The CAF error category of `sup_error` (an atom of at most 10 characters).
inline constexpr caf::atom_value error_category = caf::atom("supervisor");

/// Returns the enumerator name, e.g. "duplicate_id".
[[nodiscard]] std::string to_string(sup_error x);

/// Wraps `x` into a `caf::error` of `error_category` (found by ADL, so `caf::error e =
/// sup_error::not_found;` and `e == sup_error::not_found` work).
[[nodiscard]] caf::error make_error(sup_error x);

/// Same, with a context message (e.g. the offending child id).
[[nodiscard]] caf::error make_error(sup_error x, std::string context);

/// The structured `failed_to_start_child` error: `reason` is what the child's start returned.
[[nodiscard]] caf::error failed_to_start_child(const std::string& id, caf::error reason);

/// For a `failed_to_start_child` error: the child id and its start error; nothing otherwise.
[[nodiscard]] std::optional<std::pair<std::string, caf::error>> failed_child(const caf::error& x);

/// Renders any `caf::error` in one line; errors of `error_category` print as
/// "supervisor:duplicate_id(\"db\")", others via CAF's `to_string`. Any thread.
[[nodiscard]] std::string describe(const caf::error& x);

/// Registers `error_category` with an actor system config so that `system.render(err)`
/// prints names instead of numbers. Optional; call before constructing the system.
void register_error_category(caf::actor_system_config& cfg);

} // namespace switchboard::supervision

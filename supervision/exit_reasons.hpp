#pragma once

#include <string>

#include <caf/error.hpp>
#include <caf/exit_reason.hpp>

#include "supervision/child_spec.hpp"

/// The mapping of OTP exit reasons to CAF exit reasons (a CAF exit reason is a caf::error):
///
/// | OTP               | CAF                                                          |
/// |-------------------|--------------------------------------------------------------|
/// | normal            | no error (`caf::error{}`) or `caf::exit_reason::normal`      |
/// | shutdown          | `caf::exit_reason::user_shutdown`                            |
/// | {shutdown, Term}  | `caf::exit_reason::user_shutdown` with a context message     |
/// | kill / killed     | `caf::exit_reason::kill` (cannot be trapped)                 |
/// | any other term    | any other error, e.g. `caf::sec::runtime_error` (an escaping |
/// |                   | exception), `caf::exit_reason::unhandled_exception`, own enums |
///
/// Normal and shutdown exits are "not abnormal": a transient child is not restarted after
/// them and no child_terminated report is emitted for transient and temporary children.
namespace switchboard::supervision {

/// The reason a supervisor sends to stop a child and exits with when it gives up or shuts
/// down by itself: OTP `shutdown`.
[[nodiscard]] caf::error shutdown_reason();

/// OTP `{shutdown, Term}`: a shutdown that carries an explanation.
[[nodiscard]] caf::error shutdown_reason(std::string why);

/// True for OTP `normal`.
[[nodiscard]] bool is_normal(const caf::error& reason);

/// True for OTP `shutdown` and `{shutdown, _}`.
[[nodiscard]] bool is_shutdown(const caf::error& reason);

/// True for every reason that is neither normal nor shutdown (kill included).
[[nodiscard]] bool is_abnormal(const caf::error& reason);

/// Whether a child of restart type `type` that exited with `reason` is restarted.
[[nodiscard]] bool should_restart(restart_type type, const caf::error& reason);

} // namespace switchboard::supervision

#pragma once

#include <string>
#include <vector>

#include <caf/expected.hpp>
#include <caf/fwd.hpp>

#include "supervision/child_spec.hpp"
#include "supervision/protocol.hpp"
#include "supervision/report.hpp"
#include "supervision/restart_intensity.hpp"
#include "supervision/supervisor_flags.hpp"

/// The supervisor actor.
///
/// Handles: the calls of `supervisor_actor` (protocol.hpp); `down_msg` of its children (it
/// monitors every child it starts; it does not link, because a killed linked child would
/// kill it too in CAF); `exit_msg` (it traps exits).
/// Replies: as documented on `supervisor_actor`.
/// Emits: reports (report.hpp) to its report handler.
/// Exits:
/// - with shutdown (caf::exit_reason::user_shutdown) after stopping all children in reverse
///   start order (dynamic children in parallel) when it reaches its restart intensity or
///   auto_shutdown fires;
/// - with reason R after the same orderly stop when it receives an exit_msg with a reason R
///   other than normal (how a parent supervisor or anyone else stops it); exit_msgs with
///   reason normal are ignored;
/// - with exit_reason::kill when killed, in which case it kills its remaining children at
///   once (no orderly stop is possible).
namespace switchboard::supervision {

/// Per-supervisor settings that are not OTP flags.
struct supervisor_options {
  /// Appears in reports and as the CAF actor name. Default "supervisor".
  std::string name = "supervisor";
  /// Receives this supervisor's reports; empty means the global handler (report.hpp).
  report_handler on_report;
  /// Time source of the restart-intensity window; empty means steady_clock::now.
  clock_fn clock;
};

/// Starts a supervisor (OTP `supervisor:start_link` without the link: the caller decides).
/// Validates `flags` and `children` (the first problem is returned as a `sup_error`), then
/// starts the children in order by calling their start functions in the calling thread.
/// If one fails, the children already started are stopped in reverse order (with their
/// shutdown specs, asynchronously) and `failed_to_start_child` (context: id, reason) is
/// returned. For simple_one_for_one no child is started here (see start_child).
/// Any thread, including inside an actor (a nested supervisor's start function).
[[nodiscard]] caf::expected<supervisor_actor>
start_supervisor(caf::actor_system& sys, supervisor_flags flags, std::vector<child_spec> children,
                 supervisor_options options = {});

/// A child spec that starts a nested supervisor with these arguments: type supervisor,
/// restart permanent, shutdown infinity (adjust the returned spec as needed).
[[nodiscard]] child_spec supervisor_child(std::string id, supervisor_flags flags,
                                          std::vector<child_spec> children,
                                          supervisor_options options = {});

} // namespace switchboard::supervision

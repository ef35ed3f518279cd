#pragma once

#include <memory>
#include <string>
#include <vector>

#include <caf/actor_addr.hpp>
#include <caf/expected.hpp>
#include <caf/fwd.hpp>

#include "supervision/child_spec.hpp"
#include "supervision/clock.hpp"
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
/// - with reason R after the same orderly stop when its parent sends it an exit_msg with a
///   reason R other than normal, or when anyone calls stop(). Its parent is the supervisor
///   that started it (for a top-level supervisor: `supervisor_options::parent`, if set).
///   exit_msgs from anyone else, and those with reason normal, are ignored, as in OTP;
/// - with failed_to_start_child when a child fails to start during its own start, after
///   stopping the children already started;
/// - with exit_reason::kill when killed, in which case it kills its remaining children at
///   once (no orderly stop is possible).
namespace switchboard::supervision {

/// Per-supervisor settings that are not OTP flags.
struct supervisor_options {
  supervisor_options(std::string name = "supervisor", report_handler on_report = {},
                     std::shared_ptr<supervision::clock> clock = {}, caf::actor_addr parent = {})
      : name(std::move(name)), on_report(std::move(on_report)), clock(std::move(clock)),
        parent(std::move(parent)) {}

  /// Appears in reports and as the CAF actor name. Default "supervisor".
  std::string name = "supervisor";
  /// Receives this supervisor's reports; empty means the global handler (report.hpp).
  report_handler on_report;
  /// The one time source of restart intensity and shutdown timeouts; empty means
  /// steady_clock(). Nested supervisors started by supervisor_child use their own options.
  std::shared_ptr<supervision::clock> clock;
  /// Top-level supervisors only: the actor whose exit signals it obeys (OTP's parent). Empty:
  /// none, so only stop() and kill end it. A nested supervisor's parent is its supervisor.
  caf::actor_addr parent;
};

/// Starts a supervisor and waits until its own start is over (OTP `supervisor:start_link`
/// without the link: the parent is `options.parent`). Validates `flags` and `children` (the
/// first problem is returned as a `sup_error`) before starting anything; then the supervisor
/// starts the children in order, each start waiting for the child's init ack if it asked
/// for one. If one fails, the children already started are stopped in reverse order and,
/// once they are gone, `failed_to_start_child` (context: the id and the start error, see
/// failed_child()) is returned. For simple_one_for_one no child is started here.
/// Blocks the calling thread: call it from main(), tests or a blocking actor, never inside an
/// event-based actor (nest supervisors with supervisor_child instead).
[[nodiscard]] caf::expected<supervisor_actor> start_supervisor(caf::actor_system& sys,
                                                               supervisor_flags flags,
                                                               std::vector<child_spec> children,
                                                               supervisor_options options = {});

/// A child spec that starts a nested supervisor with these arguments: type supervisor,
/// restart permanent, shutdown infinity (adjust the returned spec as needed). The nested
/// supervisor acknowledges its init once its children started, so a child of it that fails
/// to start is a start error of this spec, and its parent is the supervisor that starts it.
[[nodiscard]] child_spec supervisor_child(std::string id, supervisor_flags flags,
                                          std::vector<child_spec> children,
                                          supervisor_options options = {});

} // namespace switchboard::supervision

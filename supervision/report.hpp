#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include <caf/actor_addr.hpp>
#include <caf/error.hpp>

#include "supervision/child_spec.hpp"

namespace switchboard::supervision {

/// OTP's report contexts plus the progress event.
enum class report_context : uint8_t {
  start_error,                   ///< a child's start function failed
  child_terminated,              ///< a child exited (always for permanent, abnormally otherwise)
  shutdown_error,                ///< a child stopped with an unexpected reason (or was killed
                                 ///< after its shutdown timeout)
  reached_max_restart_intensity, ///< the supervisor gives up and exits with shutdown
  progress,                      ///< a child started (informational)
};

/// The child a report is about (OTP `offender`: the child spec plus its pid).
struct offender_info {
  std::string id;
  caf::actor_id child = 0; ///< 0 when the child is undefined (not running)
  restart_type restart = restart_type::permanent;
  shutdown_spec shutdown;
  child_type type = child_type::worker;
  bool significant = false;
};

/// One structured supervisor report with OTP's four fields.
struct report {
  std::string supervisor; ///< the supervisor's name (supervisor_options::name)
  report_context context = report_context::progress;
  caf::error reason; ///< empty for progress
  offender_info offender;
};

/// Receives reports. Called inside the reporting supervisor, so from many threads at once:
/// it must be thread-safe, quick and must not block.
using report_handler = std::function<void(const report&)>;

[[nodiscard]] std::string to_string(report_context x);

/// One line: `supervisor=<name> context=<context> reason=<reason> offender={id=..., ...}`.
[[nodiscard]] std::string to_string(const report& x);

/// Writes error reports to stderr as one line each (via to_string); drops progress reports,
/// like OTP's default logger level. Thread-safe.
void stderr_report_handler(const report& x);

/// Sets the handler used by supervisors started without their own (supervisor_options::
/// on_report). An empty function restores stderr_report_handler. Any thread; affects
/// reports emitted after the call.
void set_global_report_handler(report_handler handler);

/// Delivers `x` to `local` when set, else to the global handler. Any thread.
void emit_report(const report_handler& local, const report& x);

} // namespace switchboard::supervision

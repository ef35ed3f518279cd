#pragma once

#include <chrono>
#include <cstdint>
#include <string>

namespace switchboard::supervision {

/// How a supervisor restarts children when one terminates (OTP `strategy`).
enum class restart_strategy : uint8_t {
  one_for_one,        ///< restart only the child that terminated (default)
  one_for_all,        ///< stop all other children (reverse order), restart all in order
  rest_for_one,       ///< stop the children started after it (reverse), restart them in order
  simple_one_for_one, ///< one_for_one over dynamic children of one spec, started by start_child
};

/// When a supervisor stops itself because significant children terminated (OTP
/// `auto_shutdown`). Only a child's own termination counts, never terminate_child.
enum class auto_shutdown_mode : uint8_t {
  never,           ///< default; `significant` is then irrelevant
  any_significant, ///< stop when any significant child terminates without being restarted
  all_significant, ///< stop when all significant children have terminated
};

/// Supervisor flags (OTP `sup_flags`), plain data with OTP's defaults.
struct supervisor_flags {
  restart_strategy strategy = restart_strategy::one_for_one;
  /// Restarts allowed within `period`; one more and the supervisor gives up: it stops all
  /// children and exits with the shutdown reason. Default 1; must be >= 0.
  int intensity = 1;
  /// Length of the sliding window. Default 5 s; must be > 0.
  std::chrono::milliseconds period{5000};
  auto_shutdown_mode auto_shutdown = auto_shutdown_mode::never;
};

[[nodiscard]] std::string to_string(restart_strategy x);
[[nodiscard]] std::string to_string(auto_shutdown_mode x);

} // namespace switchboard::supervision

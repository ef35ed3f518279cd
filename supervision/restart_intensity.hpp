#pragma once

#include <chrono>
#include <cstddef>
#include <deque>

namespace switchboard::supervision {

/// OTP's restart intensity: a sliding window of restart timestamps. Pure value type, no
/// actors, no clock of its own; not thread-safe (a supervisor owns one).
class restart_intensity {
public:
  using time_point = std::chrono::steady_clock::time_point;

  /// `intensity` >= 0 restarts are allowed within any window of length `period` > 0.
  restart_intensity(int intensity, std::chrono::steady_clock::duration period);

  /// Records a restart at `now` and returns true when it is allowed; false when it makes
  /// more than `intensity` restarts within `period`, i.e. the supervisor must give up.
  /// As in OTP, restarts at or after `now - period` are still in the window.
  /// `now` must not go backwards. Amortized O(1); keeps at most intensity + 1 stamps.
  [[nodiscard]] bool add_restart(time_point now);

  /// Restarts currently in the window (as of the last add_restart).
  [[nodiscard]] std::size_t size() const { return stamps_.size(); }

private:
  int intensity_;
  std::chrono::steady_clock::duration period_;
  std::deque<time_point> stamps_; // oldest first
};

} // namespace switchboard::supervision

#pragma once

#include <chrono>
#include <memory>
#include <mutex>
#include <vector>

#include <caf/actor.hpp>
#include <caf/message.hpp>

/// The one time source of a supervisor: it stamps restarts for the restart-intensity window and
/// times the shutdown of children (`shutdown_spec::after`). Injected through
/// `supervisor_options::clock`, so that a test can move both by hand.
namespace switchboard::supervision {

class clock {
public:
  using time_point = std::chrono::steady_clock::time_point;

  virtual ~clock() = default;

  /// The current time; never goes backwards.
  [[nodiscard]] virtual time_point now() = 0;

  /// Delivers `msg` to `receiver` (as an anonymous message) once `delay` has passed on this
  /// clock. Any thread.
  virtual void send_after(std::chrono::milliseconds delay, const caf::actor& receiver,
                          caf::message msg) = 0;
};

/// std::chrono::steady_clock, with CAF's timer for delayed messages. Shared, stateless.
[[nodiscard]] std::shared_ptr<clock> steady_clock();

/// A clock that moves only when told to: `advance` delivers every message that came due, in
/// due order. For tests of restart intensity and shutdown timeouts. Thread-safe.
class manual_clock final : public clock {
public:
  time_point now() override;
  void send_after(std::chrono::milliseconds delay, const caf::actor& receiver,
                  caf::message msg) override;

  /// Moves time forward by `d` and delivers what came due.
  void advance(std::chrono::milliseconds d);
  /// Messages waiting for their time.
  [[nodiscard]] std::size_t pending() const;

private:
  struct timer {
    time_point due;
    caf::actor receiver;
    caf::message msg;
  };

  mutable std::mutex mtx_;
  time_point now_ = time_point{} + std::chrono::hours{1};
  std::vector<timer> timers_;
};

} // namespace switchboard::supervision

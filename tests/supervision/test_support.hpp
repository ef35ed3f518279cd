#pragma once

// Shared fixtures of the supervision tests: an actor system per test, scriptable workers,
// a thread-safe report log, and waiting on conditions with deadlines.

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <caf/all.hpp>

#include "supervision/api.hpp"
#include "supervision/errors.hpp"
#include "supervision/exit_reasons.hpp"
#include "supervision/supervisor.hpp"

namespace sup_test {

namespace sv = switchboard::supervision;
using namespace std::chrono_literals;

using normal_atom = caf::atom_constant<caf::atom("normal")>;
using crash_atom = caf::atom_constant<caf::atom("crash")>;
using ping_atom = caf::atom_constant<caf::atom("ping")>;

/// Waits until `pred` holds, checking every millisecond, up to `deadline`.
inline bool wait_until(const std::function<bool()>& pred,
                       std::chrono::milliseconds deadline = 10s) {
  auto until = std::chrono::steady_clock::now() + deadline;
  while (!pred()) {
    if (std::chrono::steady_clock::now() > until)
      return false;
    std::this_thread::sleep_for(1ms);
  }
  return true;
}

/// Names in the order things happened, from any thread.
class event_log {
public:
  void add(std::string x) {
    std::lock_guard<std::mutex> guard{mtx_};
    entries_.push_back(std::move(x));
  }
  std::vector<std::string> entries() const {
    std::lock_guard<std::mutex> guard{mtx_};
    return entries_;
  }

private:
  mutable std::mutex mtx_;
  std::vector<std::string> entries_;
};

/// Records every report; a report_handler for supervisor_options::on_report.
class report_log {
public:
  sv::report_handler handler() {
    return [this](const sv::report& x) {
      std::lock_guard<std::mutex> guard{mtx_};
      reports_.push_back(x);
    };
  }
  std::size_t count(sv::report_context ctx, const std::string& id = {}) const {
    std::lock_guard<std::mutex> guard{mtx_};
    std::size_t n = 0;
    for (const auto& r : reports_)
      if (r.context == ctx && (id.empty() || r.offender.id == id))
        ++n;
    return n;
  }
  std::vector<sv::report> all() const {
    std::lock_guard<std::mutex> guard{mtx_};
    return reports_;
  }

private:
  mutable std::mutex mtx_;
  std::vector<sv::report> reports_;
};

/// How a test worker behaves.
struct worker_cfg {
  std::string name;
  std::shared_ptr<event_log> stops; ///< logs `name` when asked to exit
  bool ignore_shutdown = false;     ///< traps exits and ignores all but kill
};

/// Handles normal_atom (quits normally), crash_atom (throws), ping_atom (replies ping).
/// Traps exits only to log them, then quits with the same reason unless told to ignore.
inline caf::behavior worker(caf::event_based_actor* self, worker_cfg cfg) {
  self->set_exit_handler([self, cfg](caf::exit_msg& msg) {
    if (cfg.stops)
      cfg.stops->add(cfg.name);
    if (!cfg.ignore_shutdown && !sv::is_normal(msg.reason))
      self->quit(msg.reason);
  });
  return {
    [self](normal_atom) { self->quit(); },
    [](crash_atom) { throw std::runtime_error("crash on purpose"); },
    [](ping_atom) { return ping_atom::value; },
  };
}

/// A worker child spec; counts its starts in `starts` when given.
inline sv::child_spec worker_spec(std::string id,
                                  sv::restart_type restart = sv::restart_type::permanent,
                                  worker_cfg cfg = {},
                                  std::shared_ptr<std::atomic<int>> starts = {}) {
  if (cfg.name.empty())
    cfg.name = id;
  sv::child_spec spec;
  spec.id = std::move(id);
  spec.restart = restart;
  spec.start = [cfg, starts](caf::actor_system& sys, const caf::message&) {
    if (starts)
      ++*starts;
    return sv::start_result{sys.spawn(worker, cfg)};
  };
  return spec;
}

/// An actor system with two scheduler threads, and a scoped actor for blocking calls.
struct test_system {
  static caf::actor_system_config& config(caf::actor_system_config& cfg) {
    cfg.set("scheduler.max-threads", 2);
    cfg.set("logger.verbosity", caf::atom("quiet"));
    return cfg;
  }
  caf::actor_system_config cfg;
  caf::actor_system sys{config(cfg)};
  caf::scoped_actor self{sys};

  /// which_children or fail the test.
  std::vector<sv::child_info> children(const sv::supervisor_actor& sup) {
    auto xs = sv::which_children(self, sup, caf::duration{10s});
    REQUIRE(xs);
    return *xs;
  }
  /// The handle of child `id` (invalid when undefined or absent).
  caf::actor child(const sv::supervisor_actor& sup, const std::string& id) {
    for (auto& x : children(sup))
      if (x.id == id)
        return x.child;
    return nullptr;
  }
  bool has_child(const sv::supervisor_actor& sup, const std::string& id) {
    for (auto& x : children(sup))
      if (x.id == id)
        return true;
    return false;
  }
  /// Waits for `who` to terminate and returns its exit reason (sec::request_timeout on timeout).
  template <class Handle>
  caf::error await_down(const Handle& who, std::chrono::milliseconds deadline = 10s) {
    caf::error result = caf::make_error(caf::sec::request_timeout);
    self->monitor(who);
    bool done = false;
    self->receive_while([&] { return !done; })(
      [&](caf::down_msg& msg) {
        if (msg.source == who.address()) {
          result = msg.reason;
          done = true;
        }
      },
      caf::after(deadline) >> [&] { done = true; });
    return result;
  }
  /// Stops `sup` with the shutdown reason and waits until it is gone.
  void stop(const sv::supervisor_actor& sup) {
    CHECK(!sv::stop(self, sup, sv::shutdown_reason(), caf::duration{10s}));
  }
};

} // namespace sup_test

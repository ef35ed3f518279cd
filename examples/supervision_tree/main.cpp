// A small supervision tree that crashes children on purpose and prints every report.
//
//   root (one_for_one, intensity 3 / 5 s)
//   +-- ticker     worker, permanent
//   +-- workers    supervisor (rest_for_one, intensity 2 / 5 s)
//   |   +-- db     worker, permanent
//   |   +-- cache  worker, transient
//   +-- sessions   supervisor (simple_one_for_one), dynamic "session" workers, temporary
#include <chrono>
#include <condition_variable>
#include <iostream>
#include <mutex>
#include <stdexcept>
#include <string>

#include <caf/all.hpp>

#include "supervision/api.hpp"
#include "supervision/errors.hpp"
#include "supervision/exit_reasons.hpp"
#include "supervision/supervisor.hpp"

namespace sv = switchboard::supervision;
using namespace std::chrono_literals;

namespace {

using crash_atom = caf::atom_constant<caf::atom("crash")>;
using done_atom = caf::atom_constant<caf::atom("done")>;

caf::behavior worker(caf::event_based_actor* self, std::string name) {
  // Quiet the default exception printout; the escaping exception still ends this actor
  // with sec::runtime_error, which its supervisor sees as an abnormal exit.
  self->set_exception_handler(
    [](std::exception_ptr&) -> caf::error { return caf::sec::runtime_error; });
  return {
    [name](crash_atom) { throw std::runtime_error(name + " crashed on purpose"); },
    [self](done_atom) { self->quit(); },
  };
}

sv::child_spec worker_spec(std::string id, sv::restart_type restart) {
  sv::child_spec spec;
  spec.id = id;
  spec.restart = restart;
  spec.start = [id](caf::actor_system& sys, const caf::message&) {
    return sv::start_result{sys.spawn(worker, id)};
  };
  return spec;
}

/// Prints each report on stdout and lets main wait for a given number of them.
class printer {
public:
  sv::report_handler handler() {
    return [this](const sv::report& r) {
      std::lock_guard<std::mutex> guard{mtx_};
      std::cout << "  [report] " << sv::to_string(r) << std::endl;
      ++seen_[static_cast<int>(r.context)];
      cv_.notify_all();
    };
  }
  /// Waits until `n` reports of `ctx` have been printed in total; false after 5 s.
  bool wait_for(sv::report_context ctx, int n) {
    std::unique_lock<std::mutex> guard{mtx_};
    return cv_.wait_for(guard, 5s, [&] { return seen_[static_cast<int>(ctx)] >= n; });
  }

private:
  std::mutex mtx_;
  std::condition_variable cv_;
  int seen_[5] = {};
};

void show(caf::scoped_actor& self, const sv::supervisor_actor& sup, const std::string& name) {
  auto xs = sv::which_children(self, sup, caf::duration{5s});
  if (!xs) {
    std::cout << name << ": " << sv::describe(xs.error()) << "\n";
    return;
  }
  std::cout << name << " children:";
  for (auto& x : *xs)
    std::cout << " " << x.id << (x.child ? "=#" + std::to_string(x.child.id()) : "=undefined");
  std::cout << std::endl;
}

caf::actor child_of(caf::scoped_actor& self, const sv::supervisor_actor& sup,
                    const std::string& id) {
  auto xs = sv::which_children(self, sup, caf::duration{5s});
  if (xs)
    for (auto& x : *xs)
      if (x.id == id)
        return x.child;
  return nullptr;
}

int run(caf::actor_system& sys) {
  printer out;
  sv::set_global_report_handler(out.handler());
  using ctx = sv::report_context;

  sv::supervisor_flags workers_flags{sv::restart_strategy::rest_for_one, 2, 5000ms,
                                     sv::auto_shutdown_mode::never};
  sv::supervisor_flags sessions_flags{sv::restart_strategy::simple_one_for_one, 10, 5000ms,
                                      sv::auto_shutdown_mode::never};
  sv::supervisor_flags root_flags{sv::restart_strategy::one_for_one, 3, 5000ms,
                                  sv::auto_shutdown_mode::never};
  auto root = sv::start_supervisor(
    sys, root_flags,
    {worker_spec("ticker", sv::restart_type::permanent),
     sv::supervisor_child("workers", workers_flags,
                          {worker_spec("db", sv::restart_type::permanent),
                           worker_spec("cache", sv::restart_type::transient)},
                          {"workers", {}, {}}),
     sv::supervisor_child("sessions", sessions_flags,
                          {worker_spec("session", sv::restart_type::temporary)},
                          {"sessions", {}, {}})},
    {"root", {}, {}});
  if (!root) {
    std::cerr << "root failed to start: " << sv::describe(root.error()) << "\n";
    return 1;
  }
  caf::scoped_actor self{sys};
  show(self, *root, "root");
  auto workers = caf::actor_cast<sv::supervisor_actor>(child_of(self, *root, "workers"));
  auto sessions = caf::actor_cast<sv::supervisor_actor>(child_of(self, *root, "sessions"));
  show(self, workers, "workers");

  std::cout << "\n== cache crashes: transient + abnormal, so workers restarts it\n";
  self->send(child_of(self, workers, "cache"), crash_atom::value);
  out.wait_for(ctx::progress, 6);
  show(self, workers, "workers");

  std::cout << "\n== db crashes: rest_for_one restarts db and the cache started after it\n";
  self->send(child_of(self, workers, "db"), crash_atom::value);
  out.wait_for(ctx::progress, 8);
  show(self, workers, "workers");

  std::cout << "\n== db crashes again: the third restart within 5 s exceeds intensity 2,\n"
               "   workers gives up with shutdown and root restarts the whole subtree\n";
  self->send(child_of(self, workers, "db"), crash_atom::value);
  out.wait_for(ctx::reached_max_restart_intensity, 1);
  out.wait_for(ctx::progress, 11);
  show(self, *root, "root");

  std::cout << "\n== sessions: three dynamic children, one crashes (temporary: not restarted)\n";
  caf::actor first;
  for (int i = 0; i < 3; ++i) {
    auto s = sv::start_child(self, sessions, caf::make_message(i), caf::duration{5s});
    if (s && !first)
      first = *s;
  }
  self->send(first, crash_atom::value);
  out.wait_for(ctx::child_terminated, 5);
  auto counts = sv::count_children(self, sessions, caf::duration{5s});
  if (counts)
    std::cout << "sessions: specs=" << counts->specs << " active=" << counts->active << "\n";

  std::cout << "\n== stopping root: children stop in reverse start order\n";
  // stop(), not send_exit: as in OTP, a supervisor obeys exit signals from its parent only.
  const bool stopped = !sv::stop(self, *root, sv::shutdown_reason(), caf::duration{10s});
  std::cout << (stopped ? "root exited with shutdown\n" : "root did not stop in time\n");
  sv::set_global_report_handler({});
  return stopped ? 0 : 1;
}

} // namespace

int main() {
  caf::actor_system_config cfg;
  cfg.set("scheduler.max-threads", 2);
  int rc = 0;
  {
    caf::actor_system sys{cfg};
    rc = run(sys);
  }
  return rc;
}

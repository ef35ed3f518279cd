// Start, stop, shutdown and escalation semantics of one supervisor.
#include <doctest/doctest.h>

#include "test_support.hpp"

using namespace sup_test;
using sv::report_context;
using sv::restart_type;

namespace {

sv::child_spec failing_spec(std::string id) {
  sv::child_spec spec;
  spec.id = std::move(id);
  spec.start = [](caf::actor_system&, const caf::message&) {
    return sv::start_result{caf::make_error(caf::sec::invalid_argument)};
  };
  return spec;
}

sv::child_spec ignored_spec(std::string id, restart_type restart) {
  sv::child_spec spec;
  spec.id = std::move(id);
  spec.restart = restart;
  spec.start = [](caf::actor_system&, const caf::message&) { return sv::start_result{sv::ignore}; };
  return spec;
}

// Crashes child `id` and waits until the supervisor has dealt with it: either a new
// incarnation runs, or the supervisor is gone.
bool crash_and_settle(test_system& t, const sv::supervisor_actor& sup, const std::string& id) {
  auto old = t.child(sup, id);
  if (!old)
    return false;
  t.self->send(old, crash_atom::value);
  return wait_until([&] {
    auto xs = sv::which_children(t.self, sup, caf::duration{10s});
    if (!xs)
      return true; // supervisor terminated
    for (auto& x : *xs)
      if (x.id == id && x.child && x.child != old)
        return true;
    return false;
  });
}

} // namespace

TEST_CASE("children start in order and stop in reverse order") {
  test_system t;
  auto stops = std::make_shared<event_log>();
  report_log reports;
  auto sup = sv::start_supervisor(t.sys, {},
                                  {worker_spec("a", restart_type::permanent, {"a", stops}),
                                   worker_spec("b", restart_type::permanent, {"b", stops}),
                                   worker_spec("c", restart_type::permanent, {"c", stops})},
                                  {"order", reports.handler(), {}});
  REQUIRE(sup);
  std::vector<std::string> started;
  for (auto& r : reports.all())
    if (r.context == report_context::progress)
      started.push_back(r.offender.id);
  CHECK(started == std::vector<std::string>{"a", "b", "c"});
  auto names = t.children(*sup);
  REQUIRE(names.size() == 3);
  CHECK(names[0].id == "a");
  CHECK(names[2].id == "c");
  CHECK(!sv::stop(t.self, *sup));
  CHECK(stops->entries() == std::vector<std::string>{"c", "b", "a"});
}

TEST_CASE(
  "a failed start aborts the supervisor's start and stops the started children in reverse") {
  test_system t;
  auto stops = std::make_shared<event_log>();
  report_log reports;
  auto starts_c = std::make_shared<std::atomic<int>>(0);
  auto sup = sv::start_supervisor(
    t.sys, {},
    {worker_spec("a", restart_type::permanent, {"a", stops}),
     worker_spec("b", restart_type::permanent, {"b", stops}), failing_spec("broken"),
     worker_spec("c", restart_type::permanent, {"c", stops}, starts_c)},
    {"abort", reports.handler(), {}});
  REQUIRE_FALSE(sup);
  CHECK(sup.error() == sv::sup_error::failed_to_start_child);
  CHECK(sv::describe(sup.error()).find("broken") != std::string::npos);
  CHECK(reports.count(report_context::start_error, "broken") == 1);
  CHECK(*starts_c == 0);
  REQUIRE(wait_until([&] { return stops->entries().size() == 2; }));
  CHECK(stops->entries() == std::vector<std::string>{"b", "a"});
}

TEST_CASE("an ignored child keeps its spec undefined, an ignored temporary child is dropped") {
  test_system t;
  auto sup =
    sv::start_supervisor(t.sys, {},
                         {ignored_spec("keep", restart_type::permanent),
                          ignored_spec("drop", restart_type::temporary), worker_spec("w")});
  REQUIRE(sup);
  auto xs = t.children(*sup);
  REQUIRE(xs.size() == 2);
  CHECK(xs[0].id == "keep");
  CHECK_FALSE(xs[0].child);
  CHECK(xs[1].id == "w");
  auto counts = sv::count_children(t.self, *sup);
  REQUIRE(counts);
  CHECK(counts->specs == 2);
  CHECK(counts->active == 1);
  t.stop(*sup);
}

TEST_CASE("an exception in a child is an abnormal exit of that child only") {
  test_system t;
  report_log reports;
  auto sup = sv::start_supervisor(t.sys, {}, {worker_spec("a"), worker_spec("b")},
                                  {"exc", reports.handler(), {}});
  REQUIRE(sup);
  auto a = t.child(*sup, "a");
  REQUIRE(crash_and_settle(t, *sup, "b"));
  CHECK(t.child(*sup, "a") == a);
  auto all = reports.all();
  auto terminated = std::find_if(all.begin(), all.end(), [](const sv::report& r) {
    return r.context == report_context::child_terminated;
  });
  REQUIRE(terminated != all.end());
  CHECK(terminated->reason == caf::sec::runtime_error);
  CHECK(terminated->offender.id == "b");
  t.stop(*sup);
}

TEST_CASE("more restarts than the intensity within the period make the supervisor give up") {
  test_system t;
  report_log reports;
  auto clock = std::make_shared<sv::manual_clock>();
  sv::supervisor_flags flags;
  flags.intensity = 2;
  flags.period = 5s;
  auto stops = std::make_shared<event_log>();
  auto sup = sv::start_supervisor(
    t.sys, flags,
    {worker_spec("other", restart_type::permanent, {"other", stops}), worker_spec("w")},
    {"escalate", reports.handler(), clock});
  REQUIRE(sup);
  REQUIRE(crash_and_settle(t, *sup, "w"));
  clock->advance(1s);
  REQUIRE(crash_and_settle(t, *sup, "w"));
  clock->advance(1s);
  t.self->send(t.child(*sup, "w"), crash_atom::value);
  CHECK(t.await_down(*sup) == caf::exit_reason::user_shutdown);
  CHECK(reports.count(report_context::reached_max_restart_intensity, "w") == 1);
  CHECK(reports.count(report_context::child_terminated, "w") == 3);
  CHECK(stops->entries() == std::vector<std::string>{"other"});
}

TEST_CASE("restarts spread wider than the period never exhaust the intensity") {
  test_system t;
  report_log reports;
  auto clock = std::make_shared<sv::manual_clock>();
  sv::supervisor_flags flags;
  flags.intensity = 2;
  flags.period = 5s;
  auto sup =
    sv::start_supervisor(t.sys, flags, {worker_spec("w")}, {"spread", reports.handler(), clock});
  REQUIRE(sup);
  for (int i = 0; i < 6; ++i) {
    REQUIRE(crash_and_settle(t, *sup, "w"));
    clock->advance(3s);
  }
  CHECK(t.child(*sup, "w"));
  CHECK(reports.count(report_context::reached_max_restart_intensity) == 0);
  t.stop(*sup);
}

TEST_CASE("a child supervisor that gives up is restarted by its parent") {
  test_system t;
  report_log reports;
  sv::supervisor_flags inner_flags;
  inner_flags.intensity = 0;
  auto inner = sv::supervisor_child("inner", inner_flags, {worker_spec("w")},
                                    {"inner", reports.handler(), {}});
  auto sup = sv::start_supervisor(t.sys, {}, {inner}, {"outer", reports.handler(), {}});
  REQUIRE(sup);
  auto inner_sup = caf::actor_cast<sv::supervisor_actor>(t.child(*sup, "inner"));
  REQUIRE(inner_sup);
  auto w = t.child(inner_sup, "w");
  t.self->send(w, crash_atom::value);
  CHECK(t.await_down(inner_sup) == caf::exit_reason::user_shutdown);
  REQUIRE(wait_until([&] {
    auto now = t.child(*sup, "inner");
    return now && now != caf::actor_cast<caf::actor>(inner_sup);
  }));
  CHECK(reports.count(report_context::reached_max_restart_intensity, "w") == 1);
  CHECK(reports.count(report_context::child_terminated, "inner") == 1);
  t.stop(*sup);
}

TEST_CASE("a child that ignores the shutdown is killed after its shutdown timeout") {
  test_system t;
  report_log reports;
  auto stubborn = worker_spec("stubborn", restart_type::permanent, {"stubborn", nullptr, true});
  stubborn.shutdown = sv::shutdown_spec::after(50ms);
  auto sup = sv::start_supervisor(t.sys, {}, {stubborn}, {"timeout", reports.handler(), {}});
  REQUIRE(sup);
  auto child = t.child(*sup, "stubborn");
  auto started = std::chrono::steady_clock::now();
  CHECK_FALSE(sv::terminate_child(t.self, *sup, std::string{"stubborn"}));
  CHECK(std::chrono::steady_clock::now() - started >= 50ms);
  CHECK(t.await_down(child) == caf::exit_reason::kill);
  CHECK(reports.count(report_context::shutdown_error, "stubborn") == 1);
  CHECK(reports.all().back().reason == caf::exit_reason::kill);
  t.stop(*sup);
}

TEST_CASE("brutal_kill kills a child at once without a shutdown_error") {
  test_system t;
  report_log reports;
  auto stubborn = worker_spec("stubborn", restart_type::permanent, {"stubborn", nullptr, true});
  stubborn.shutdown = sv::shutdown_spec::brutal_kill();
  auto sup = sv::start_supervisor(t.sys, {}, {stubborn}, {"brutal", reports.handler(), {}});
  REQUIRE(sup);
  auto child = t.child(*sup, "stubborn");
  CHECK_FALSE(sv::terminate_child(t.self, *sup, std::string{"stubborn"}));
  CHECK(t.await_down(child) == caf::exit_reason::kill);
  CHECK(reports.count(report_context::shutdown_error) == 0);
  t.stop(*sup);
}

TEST_CASE("killing a supervisor takes its children down") {
  test_system t;
  auto sup = sv::start_supervisor(t.sys, {}, {worker_spec("a"), worker_spec("b")});
  REQUIRE(sup);
  auto a = t.child(*sup, "a");
  auto b = t.child(*sup, "b");
  t.self->send_exit(*sup, caf::exit_reason::kill);
  CHECK(t.await_down(a) == caf::exit_reason::kill);
  CHECK(t.await_down(b) == caf::exit_reason::kill);
}

TEST_CASE("a supervisor ignores an exit message with reason normal") {
  test_system t;
  auto sup = sv::start_supervisor(t.sys, {}, {worker_spec("a")});
  REQUIRE(sup);
  t.self->send_exit(*sup, caf::exit_reason::normal);
  CHECK(t.child(*sup, "a"));
  t.stop(*sup);
}

TEST_CASE("a failed restart is retried and counts against the intensity") {
  test_system t;
  report_log reports;
  auto fail = std::make_shared<std::atomic<bool>>(false);
  sv::child_spec flaky = worker_spec("flaky");
  auto inner_start = flaky.start;
  flaky.start = [inner_start, fail](caf::actor_system& sys, const caf::message& args) {
    if (*fail)
      return sv::start_result{caf::make_error(caf::sec::invalid_argument)};
    return inner_start(sys, args);
  };
  sv::supervisor_flags flags;
  flags.intensity = 3;
  auto sup = sv::start_supervisor(t.sys, flags, {flaky}, {"retry", reports.handler(), {}});
  REQUIRE(sup);
  *fail = true;
  t.self->send(t.child(*sup, "flaky"), crash_atom::value);
  CHECK(t.await_down(*sup) == caf::exit_reason::user_shutdown);
  CHECK(reports.count(report_context::start_error, "flaky") == 3);
  CHECK(reports.count(report_context::reached_max_restart_intensity, "flaky") == 1);
}

#include <doctest/doctest.h>

#include "test_support.hpp"

using namespace sup_test;

namespace {

sv::supervisor_flags dynamic_flags() {
  sv::supervisor_flags flags;
  flags.strategy = sv::restart_strategy::simple_one_for_one;
  return flags;
}

} // namespace

TEST_CASE(
  "ten thousand dynamic children start, are terminated one by one, and stop with the supervisor") {
  constexpr std::size_t n = 10'000;
  test_system t;
  report_log reports;
  auto sup =
    sv::start_supervisor(t.sys, dynamic_flags(), {worker_spec("conn", sv::restart_type::temporary)},
                         {"scale", reports.handler(), {}});
  REQUIRE(sup);
  std::vector<caf::actor> kids;
  kids.reserve(n);
  for (std::size_t i = 0; i < n; ++i) {
    auto kid = sv::start_child(t.self, *sup, caf::make_message(i));
    REQUIRE(kid);
    kids.push_back(*kid);
  }
  auto counts = sv::count_children(t.self, *sup);
  REQUIRE(counts);
  CHECK(counts->active == n);
  CHECK(t.children(*sup).size() == n);
  // Terminate half by handle, then stop the supervisor with the other half running.
  for (std::size_t i = 0; i < n / 2; ++i)
    REQUIRE_FALSE(sv::terminate_child(t.self, *sup, kids[i]));
  counts = sv::count_children(t.self, *sup);
  REQUIRE(counts);
  CHECK(counts->active == n / 2);
  CHECK(!sv::stop(t.self, *sup, sv::shutdown_reason(), caf::duration{60s}));
  CHECK(t.await_down(kids.back()) == caf::exit_reason::user_shutdown);
  CHECK(reports.count(sv::report_context::shutdown_error) == 0);
}

TEST_CASE(
  "ten thousand permanent dynamic children are all restarted after crashes within the intensity") {
  constexpr std::size_t n = 10'000;
  test_system t;
  auto flags = dynamic_flags();
  flags.intensity = static_cast<int>(n);
  auto sup = sv::start_supervisor(t.sys, flags, {worker_spec("conn")},
                                  {"scale", [](const sv::report&) {}, {}});
  REQUIRE(sup);
  std::vector<caf::actor> kids;
  for (std::size_t i = 0; i < n; ++i)
    kids.push_back(*sv::start_child(t.self, *sup, caf::make_message(i)));
  for (auto& kid : kids)
    t.self->send_exit(kid, caf::exit_reason::kill);
  REQUIRE(wait_until(
    [&] {
      auto xs = t.children(*sup);
      std::size_t fresh = 0;
      for (auto& x : xs)
        if (x.child && x.child.id() > kids.back().id())
          ++fresh;
      return fresh == n;
    },
    60s));
  t.stop(*sup);
}

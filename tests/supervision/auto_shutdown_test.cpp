#include <doctest/doctest.h>

#include "test_support.hpp"

using namespace sup_test;
using sv::auto_shutdown_mode;
using sv::restart_type;

namespace {

sv::child_spec significant(std::string id, restart_type restart = restart_type::transient) {
  auto spec = worker_spec(std::move(id), restart);
  spec.significant = true;
  return spec;
}

sv::supervisor_flags with(auto_shutdown_mode mode) {
  sv::supervisor_flags flags;
  flags.auto_shutdown = mode;
  return flags;
}

} // namespace

TEST_CASE("any_significant stops the supervisor when one significant child exits normally") {
  test_system t;
  auto sup = sv::start_supervisor(t.sys, with(auto_shutdown_mode::any_significant),
                                  {worker_spec("plain"), significant("s1"), significant("s2")});
  REQUIRE(sup);
  auto plain = t.child(*sup, "plain");
  t.self->send(t.child(*sup, "s1"), normal_atom::value);
  CHECK(t.await_down(*sup) == caf::exit_reason::user_shutdown);
  CHECK(t.await_down(plain) == caf::exit_reason::user_shutdown);
}

TEST_CASE("all_significant stops the supervisor only after the last significant child exits") {
  test_system t;
  auto sup = sv::start_supervisor(
    t.sys, with(auto_shutdown_mode::all_significant),
    {worker_spec("plain"), significant("s1"), significant("s2", restart_type::temporary)});
  REQUIRE(sup);
  t.self->send(t.child(*sup, "s1"), normal_atom::value);
  REQUIRE(wait_until([&] { return !t.child(*sup, "s1"); }));
  CHECK(t.child(*sup, "plain"));
  t.self->send(t.child(*sup, "s2"), crash_atom::value);
  CHECK(t.await_down(*sup) == caf::exit_reason::user_shutdown);
}

TEST_CASE("a restarted significant child does not trigger auto_shutdown") {
  test_system t;
  auto sup =
    sv::start_supervisor(t.sys, with(auto_shutdown_mode::any_significant), {significant("s")});
  REQUIRE(sup);
  auto old = t.child(*sup, "s");
  t.self->send(old, crash_atom::value); // abnormal: a transient child is restarted
  REQUIRE(wait_until([&] {
    auto now = t.child(*sup, "s");
    return now && now != old;
  }));
  t.stop(*sup);
}

TEST_CASE("terminate_child of a significant child does not trigger auto_shutdown") {
  test_system t;
  auto sup = sv::start_supervisor(t.sys, with(auto_shutdown_mode::any_significant),
                                  {significant("s"), worker_spec("plain")});
  REQUIRE(sup);
  CHECK_FALSE(sv::terminate_child(t.self, *sup, std::string{"s"}));
  CHECK(t.child(*sup, "plain"));
  t.stop(*sup);
}

TEST_CASE("auto_shutdown never refuses significant children (OTP bad_combination)") {
  test_system t;
  auto sup = sv::start_supervisor(t.sys, with(auto_shutdown_mode::never),
                                  {significant("s"), worker_spec("plain")});
  REQUIRE_FALSE(sup);
  CHECK(sup.error() == sv::sup_error::bad_combination);
}

TEST_CASE("all_significant on simple_one_for_one stops after the last dynamic child exits") {
  test_system t;
  sv::supervisor_flags flags = with(auto_shutdown_mode::all_significant);
  flags.strategy = sv::restart_strategy::simple_one_for_one;
  auto sup = sv::start_supervisor(t.sys, flags, {significant("d", restart_type::temporary)});
  REQUIRE(sup);
  auto a = sv::start_child(t.self, *sup, caf::make_message(1));
  auto b = sv::start_child(t.self, *sup, caf::make_message(2));
  REQUIRE((a && b));
  t.self->send(*a, normal_atom::value);
  REQUIRE(wait_until([&] { return sv::count_children(t.self, *sup)->active == 1; }));
  t.self->send(*b, normal_atom::value);
  CHECK(t.await_down(*sup) == caf::exit_reason::user_shutdown);
}

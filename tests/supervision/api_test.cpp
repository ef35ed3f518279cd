// The calls of supervisor_actor: start/terminate/restart/delete/which/count.
#include <doctest/doctest.h>

#include "test_support.hpp"

using namespace sup_test;
using sv::restart_type;
using sv::sup_error;

TEST_CASE("start_child adds a child after the existing ones and refuses a used id") {
  test_system t;
  auto sup = sv::start_supervisor(t.sys, {}, {worker_spec("a")});
  REQUIRE(sup);
  auto b = sv::start_child(t.self, *sup, worker_spec("b"));
  REQUIRE(b);
  CHECK(*b);
  auto xs = t.children(*sup);
  REQUIRE(xs.size() == 2);
  CHECK(xs[1].id == "b");
  CHECK(xs[1].child == *b);
  auto again = sv::start_child(t.self, *sup, worker_spec("b"));
  REQUIRE_FALSE(again);
  CHECK(again.error() == sup_error::already_started);
  REQUIRE_FALSE(sv::terminate_child(t.self, *sup, std::string{"b"}));
  auto present = sv::start_child(t.self, *sup, worker_spec("b"));
  REQUIRE_FALSE(present);
  CHECK(present.error() == sup_error::already_present);
  auto invalid = sv::start_child(t.self, *sup, worker_spec(""));
  REQUIRE_FALSE(invalid);
  CHECK(invalid.error() == sup_error::missing_id);
  t.stop(*sup);
}

TEST_CASE("start_child returns the start error and keeps no spec") {
  test_system t;
  auto sup = sv::start_supervisor(t.sys, {}, {});
  REQUIRE(sup);
  sv::child_spec bad;
  bad.id = "bad";
  bad.start = [](caf::actor_system&, const caf::message&) -> sv::start_result {
    throw std::runtime_error("no");
  };
  auto res = sv::start_child(t.self, *sup, bad);
  REQUIRE_FALSE(res);
  CHECK(res.error() == caf::sec::runtime_error);
  CHECK(t.children(*sup).empty());
  t.stop(*sup);
}

TEST_CASE(
  "terminate_child keeps the spec, restart_child starts it again, delete_child removes it") {
  test_system t;
  auto sup = sv::start_supervisor(t.sys, {}, {worker_spec("a"), worker_spec("b")});
  REQUIRE(sup);
  auto old = t.child(*sup, "a");
  CHECK(sv::terminate_child(t.self, *sup, std::string{"missing"}) == sup_error::not_found);
  CHECK_FALSE(sv::terminate_child(t.self, *sup, std::string{"a"}));
  CHECK(t.await_down(old) == caf::exit_reason::user_shutdown);
  CHECK(t.has_child(*sup, "a"));
  CHECK_FALSE(t.child(*sup, "a"));
  CHECK(sv::delete_child(t.self, *sup, "b") == sup_error::running);
  CHECK(sv::restart_child(t.self, *sup, "b").error() == sup_error::running);
  auto again = sv::restart_child(t.self, *sup, "a");
  REQUIRE(again);
  CHECK(*again);
  CHECK(*again != old);
  CHECK(sv::restart_child(t.self, *sup, "zzz").error() == sup_error::not_found);
  CHECK_FALSE(sv::terminate_child(t.self, *sup, *again));
  CHECK_FALSE(sv::delete_child(t.self, *sup, "a"));
  CHECK_FALSE(t.has_child(*sup, "a"));
  CHECK(sv::delete_child(t.self, *sup, "a") == sup_error::not_found);
  t.stop(*sup);
}

TEST_CASE("terminate_child of a temporary child drops its spec") {
  test_system t;
  auto sup = sv::start_supervisor(t.sys, {}, {worker_spec("t", restart_type::temporary)});
  REQUIRE(sup);
  CHECK_FALSE(sv::terminate_child(t.self, *sup, std::string{"t"}));
  CHECK(t.children(*sup).empty());
  t.stop(*sup);
}

TEST_CASE("count_children counts specs, active children, supervisors and workers") {
  test_system t;
  auto sup = sv::start_supervisor(
    t.sys, {},
    {worker_spec("a"), worker_spec("b"), sv::supervisor_child("s", {}, {worker_spec("x")})});
  REQUIRE(sup);
  REQUIRE_FALSE(sv::terminate_child(t.self, *sup, std::string{"b"}));
  auto counts = sv::count_children(t.self, *sup);
  REQUIRE(counts);
  CHECK(counts->specs == 3);
  CHECK(counts->active == 2);
  CHECK(counts->supervisors == 1);
  CHECK(counts->workers == 2);
  auto xs = t.children(*sup);
  CHECK(xs[2].type == sv::child_type::supervisor);
  t.stop(*sup);
}

TEST_CASE("simple_one_for_one refuses static calls and static supervisors refuse extra args") {
  test_system t;
  sv::supervisor_flags dyn;
  dyn.strategy = sv::restart_strategy::simple_one_for_one;
  auto sup = sv::start_supervisor(t.sys, dyn, {worker_spec("w")});
  REQUIRE(sup);
  CHECK(sv::start_child(t.self, *sup, worker_spec("x")).error() == sup_error::simple_one_for_one);
  CHECK(sv::restart_child(t.self, *sup, "w").error() == sup_error::simple_one_for_one);
  CHECK(sv::delete_child(t.self, *sup, "w") == sup_error::simple_one_for_one);
  CHECK(sv::terminate_child(t.self, *sup, std::string{"w"}) == sup_error::simple_one_for_one);
  CHECK(sv::terminate_child(t.self, *sup, caf::actor{}) == sup_error::not_found);
  auto stat = sv::start_supervisor(t.sys, {}, {});
  REQUIRE(stat);
  CHECK(sv::start_child(t.self, *stat, caf::make_message(1)).error() ==
        sup_error::not_simple_one_for_one);
  t.stop(*sup);
  t.stop(*stat);
}

TEST_CASE("the start function of a dynamic child receives the extra arguments") {
  test_system t;
  auto seen = std::make_shared<event_log>();
  sv::child_spec spec;
  spec.id = "conn";
  spec.start = [seen](caf::actor_system& sys, const caf::message& args) {
    seen->add(args.get_as<std::string>(0));
    return sv::start_result{sys.spawn(worker, worker_cfg{"conn", nullptr, false})};
  };
  sv::supervisor_flags dyn;
  dyn.strategy = sv::restart_strategy::simple_one_for_one;
  auto sup = sv::start_supervisor(t.sys, dyn, {spec});
  REQUIRE(sup);
  auto child = sv::start_child(t.self, *sup, caf::make_message(std::string{"alice"}));
  REQUIRE(child);
  t.self->send(*child, crash_atom::value); // restarted with the same arguments
  REQUIRE(wait_until([&] { return seen->entries().size() == 2; }));
  CHECK(seen->entries() == std::vector<std::string>{"alice", "alice"});
  t.stop(*sup);
}

TEST_CASE("an event-based actor drives a supervisor with the asynchronous calls") {
  test_system t;
  sv::supervisor_flags dyn;
  dyn.strategy = sv::restart_strategy::simple_one_for_one;
  auto sup = sv::start_supervisor(t.sys, dyn, {worker_spec("w")});
  REQUIRE(sup);
  auto result = std::make_shared<event_log>();
  auto client = t.sys.spawn(
    [result](caf::event_based_actor* self, sv::supervisor_actor sup) {
      sv::start_child(self, sup, caf::make_message(1)).then([=](caf::actor child) {
        sv::terminate_child(self, sup, child).then([=](sv::ok_atom) {
          sv::count_children(self, sup).then([=](sv::child_counts counts) {
            result->add("active=" + std::to_string(counts.active));
          });
        });
      });
    },
    *sup);
  REQUIRE(wait_until([&] { return !result->entries().empty(); }));
  CHECK(result->entries().front() == "active=0");
  t.await_down(client);
  t.stop(*sup);
}

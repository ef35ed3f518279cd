// The OTP behaviours the supervision library promises beyond the strategies: the init
// handshake (proc_lib:init_ack), start failures, exit signals from the parent only, stop,
// the introspection calls and the one injected clock. Each case names the OTP rule.
#include <doctest/doctest.h>

#include "tests/supervision/test_support.hpp"

using namespace sup_test;
using sv::report_context;
using sv::restart_type;

namespace {

/// How an acknowledging worker's init ends.
enum class init_outcome { ack, refuse, crash, hang };

/// A worker whose init is acknowledged through init_ack_atom: it answers ok, answers an
/// error, throws before it can answer (its make_behavior crashes), or never answers.
caf::behavior acking_worker(caf::event_based_actor* self, init_outcome how) {
  if (how == init_outcome::crash)
    throw std::runtime_error("init crashed");
  return {
    [self, how](sv::init_ack_atom) -> caf::result<sv::ok_atom> {
      if (how == init_outcome::refuse)
        return caf::make_error(caf::sec::invalid_argument, "init refused");
      if (how == init_outcome::hang)
        return self->make_response_promise<sv::ok_atom>(); // never delivered
      return sv::ok_atom::value;
    },
    [](ping_atom) { return ping_atom::value; },
    [](crash_atom) { throw std::runtime_error("crash on purpose"); },
  };
}

sv::child_spec acking_spec(std::string id, std::shared_ptr<std::atomic<int>> outcome,
                           restart_type restart = restart_type::permanent) {
  sv::child_spec spec;
  spec.id = std::move(id);
  spec.restart = restart;
  spec.start = [outcome](caf::actor_system& sys, const caf::message&) {
    auto how = static_cast<init_outcome>(outcome->load());
    return sv::start_result::with_init_ack(sys.spawn(acking_worker, how));
  };
  return spec;
}

std::shared_ptr<std::atomic<int>> outcome_of(init_outcome how) {
  return std::make_shared<std::atomic<int>>(static_cast<int>(how));
}

} // namespace

TEST_CASE("init handshake: a child counts as started only once it acknowledged its init") {
  test_system t;
  report_log reports;
  auto sup = sv::start_supervisor(t.sys, {}, {acking_spec("a", outcome_of(init_outcome::ack))},
                                  {"acks", reports.handler()});
  REQUIRE(sup);
  auto a = t.child(*sup, "a");
  REQUIRE(a);
  t.self->request(a, caf::duration{10s}, ping_atom::value)
    .receive([](ping_atom) {},
             [](caf::error& err) { FAIL("ping failed: " << caf::to_string(err)); });
  CHECK(reports.count(report_context::progress, "a") == 1);
  t.stop(*sup);
}

TEST_CASE("init handshake: a child whose init fails is a start_error, never a crash counted "
          "against the intensity") {
  for (auto how : {init_outcome::refuse, init_outcome::crash}) {
    CAPTURE(static_cast<int>(how));
    test_system t;
    report_log reports;
    sv::supervisor_flags flags;
    flags.intensity = 0; // a single counted restart would end the supervisor
    auto sup = sv::start_supervisor(t.sys, flags, {}, {"init", reports.handler()});
    REQUIRE(sup);
    auto child = sv::start_child(t.self, *sup, acking_spec("x", outcome_of(how)));
    REQUIRE_FALSE(child);
    if (how == init_outcome::refuse)
      CHECK(child.error() == caf::sec::invalid_argument);
    else
      CHECK(child.error() == caf::sec::runtime_error);
    CHECK(reports.count(report_context::child_terminated) == 0);
    CHECK(reports.count(report_context::reached_max_restart_intensity) == 0);
    CHECK_FALSE(t.has_child(*sup, "x")); // OTP start_child: a failed start leaves no spec
    auto again = sv::start_child(t.self, *sup, acking_spec("y", outcome_of(init_outcome::ack)));
    CHECK(again); // still alive, intensity untouched
    t.stop(*sup);
  }
}

TEST_CASE("init handshake: a restart whose init fails is a start_error and is retried, each retry "
          "counted") {
  test_system t;
  report_log reports;
  auto outcome = outcome_of(init_outcome::ack);
  sv::supervisor_flags flags;
  flags.intensity = 3;
  flags.period = 60s;
  auto sup =
    sv::start_supervisor(t.sys, flags, {acking_spec("w", outcome)}, {"retry", reports.handler()});
  REQUIRE(sup);
  auto first = t.child(*sup, "w");
  outcome->store(static_cast<int>(init_outcome::crash));
  t.self->send(first, crash_atom::value);
  // One child_terminated (the real crash); then restarts fail in init: start_error each time
  // until the intensity (3 restarts) is used up.
  CHECK(t.await_down(*sup) == caf::exit_reason::user_shutdown);
  CHECK(reports.count(report_context::child_terminated, "w") == 1);
  CHECK(reports.count(report_context::start_error, "w") == 3);
  CHECK(reports.count(report_context::reached_max_restart_intensity) == 1);
}

TEST_CASE(
  "a failed start returns only after the started children stopped, with the structured reason") {
  test_system t;
  auto stops = std::make_shared<event_log>();
  report_log reports;
  auto sup = sv::start_supervisor(t.sys, {},
                                  {worker_spec("a", restart_type::permanent, {"a", stops}),
                                   worker_spec("b", restart_type::permanent, {"b", stops}),
                                   acking_spec("broken", outcome_of(init_outcome::refuse)),
                                   worker_spec("c")},
                                  {"abort", reports.handler()});
  REQUIRE_FALSE(sup);
  // OTP: start_link returns {error, {shutdown, {failed_to_start_child, Id, Reason}}} after
  // init/1 terminated the children it had started.
  CHECK(stops->entries() == std::vector<std::string>{"b", "a"});
  CHECK(sup.error() == sv::sup_error::failed_to_start_child);
  auto failed = sv::failed_child(sup.error());
  REQUIRE(failed);
  CHECK(failed->first == "broken");
  CHECK(failed->second == caf::sec::invalid_argument);
  CHECK(reports.count(report_context::start_error, "broken") == 1);
}

TEST_CASE("a nested supervisor whose child fails to start is a start error of its parent") {
  test_system t;
  report_log reports;
  auto inner =
    sv::supervisor_child("inner", {}, {acking_spec("bad", outcome_of(init_outcome::crash))},
                         {"inner", reports.handler()});
  auto sup =
    sv::start_supervisor(t.sys, {}, {worker_spec("w"), inner}, {"outer", reports.handler()});
  REQUIRE_FALSE(sup);
  auto failed = sv::failed_child(sup.error());
  REQUIRE(failed);
  CHECK(failed->first == "inner");
  auto nested = sv::failed_child(failed->second);
  REQUIRE(nested);
  CHECK(nested->first == "bad");
  CHECK(reports.count(report_context::child_terminated) == 0);
}

TEST_CASE("exit signals: a supervisor obeys its parent's and ignores everyone else's") {
  test_system t;
  caf::scoped_actor parent{t.sys};
  auto inner = sv::supervisor_child("inner", {}, {worker_spec("w")}, {"inner"});
  auto sup = sv::start_supervisor(t.sys, {}, {inner}, {"top", {}, {}, parent->address()});
  REQUIRE(sup);
  auto nested = caf::actor_cast<sv::supervisor_actor>(t.child(*sup, "inner"));
  REQUIRE(nested);
  // A stranger (t.self is neither parent) cannot stop either supervisor.
  t.self->send_exit(*sup, sv::shutdown_reason());
  t.self->send_exit(nested, sv::shutdown_reason());
  CHECK(t.children(nested).size() == 1);
  CHECK(t.children(*sup).size() == 1);
  CHECK(t.child(*sup, "inner") == caf::actor_cast<caf::actor>(nested));
  // The parent can; the nested supervisor then stops through its own parent, the top one.
  parent->send_exit(*sup, sv::shutdown_reason("parent says so"));
  CHECK(t.await_down(*sup) == caf::exit_reason::user_shutdown);
  CHECK(t.await_down(nested) == caf::exit_reason::user_shutdown);
}

TEST_CASE(
  "stop ends a supervisor in order with the reason given, and answers just before it exits") {
  test_system t;
  auto stops = std::make_shared<event_log>();
  auto sup = sv::start_supervisor(t.sys, {},
                                  {worker_spec("a", restart_type::permanent, {"a", stops}),
                                   worker_spec("b", restart_type::permanent, {"b", stops})});
  REQUIRE(sup);
  t.self->monitor(*sup);
  auto reason = caf::make_error(caf::sec::invalid_argument);
  t.self->request(*sup, caf::duration{10s}, sv::stop_atom::value, reason)
    .receive([](sv::ok_atom) {}, [](caf::error& err) { FAIL(caf::to_string(err)); });
  CHECK(stops->entries() == std::vector<std::string>{"b", "a"});
  CHECK(t.await_down(*sup) == caf::sec::invalid_argument);
  CHECK_FALSE(sv::stop(t.self, *sup)); // gone already: nothing to do
}

TEST_CASE("get_childspec, get_flags and which_children describe the live tree") {
  test_system t;
  sv::supervisor_flags flags{sv::restart_strategy::rest_for_one, 4, 7s,
                             sv::auto_shutdown_mode::any_significant};
  auto w = worker_spec("w", restart_type::transient);
  w.shutdown = sv::shutdown_spec::brutal_kill();
  w.significant = true;
  sv::supervisor_flags dyn{sv::restart_strategy::simple_one_for_one, 9, 1s};
  auto pool =
    sv::supervisor_child("pool", dyn, {worker_spec("conn", restart_type::temporary)}, {"pool_sup"});
  auto sup = sv::start_supervisor(t.sys, flags, {w, pool}, {"root"});
  REQUIRE(sup);
  auto got = sv::get_flags(t.self, *sup);
  REQUIRE(got);
  CHECK(got->strategy == sv::restart_strategy::rest_for_one);
  CHECK(got->intensity == 4);
  CHECK(got->period == 7s);
  CHECK(got->auto_shutdown == sv::auto_shutdown_mode::any_significant);
  auto spec = sv::get_childspec(t.self, *sup, "w");
  REQUIRE(spec);
  CHECK(spec->restart == restart_type::transient);
  CHECK(spec->significant);
  CHECK(*spec->shutdown == sv::shutdown_spec::brutal_kill());
  CHECK(sv::get_childspec(t.self, *sup, "nope").error() == sv::sup_error::not_found);
  auto kids = t.children(*sup);
  REQUIRE(kids.size() == 2);
  CHECK(kids[1].name == "pool_sup"); // a child supervisor answers with its own name
  CHECK(kids[1].type == sv::child_type::supervisor);
  auto pool_sup = caf::actor_cast<sv::supervisor_actor>(kids[1].child);
  auto pool_flags = sv::get_flags(t.self, pool_sup);
  REQUIRE(pool_flags);
  CHECK(pool_flags->strategy == sv::restart_strategy::simple_one_for_one);
  auto conn = sv::get_childspec(t.self, pool_sup, "conn"); // simple_one_for_one: its one spec
  REQUIRE(conn);
  CHECK(conn->restart == restart_type::temporary);
  t.stop(*sup);
}

TEST_CASE("one injected clock times both restart intensity and shutdown timeouts") {
  test_system t;
  report_log reports;
  auto clock = std::make_shared<sv::manual_clock>();
  auto stubborn = worker_spec("stubborn", restart_type::permanent, {"stubborn", nullptr, true});
  stubborn.shutdown = sv::shutdown_spec::after(5000ms);
  auto sup = sv::start_supervisor(t.sys, {}, {stubborn}, {"clocked", reports.handler(), clock});
  REQUIRE(sup);
  auto child = t.child(*sup, "stubborn");
  // terminate_child waits for the shutdown timeout, which only the manual clock can reach.
  auto rh =
    t.self->request(*sup, caf::infinite, sv::terminate_child_atom::value, std::string{"stubborn"});
  REQUIRE(wait_until([&] { return clock->pending() == 1; }));
  clock->advance(4999ms);
  t.self->send(child, ping_atom::value); // still alive: it answers
  t.self->receive([](ping_atom) {}, caf::after(10s) >> [] { FAIL("the child was killed early"); });
  clock->advance(1ms);
  rh.receive([](sv::ok_atom) {}, [](caf::error& err) { FAIL(caf::to_string(err)); });
  CHECK(t.await_down(child) == caf::exit_reason::kill);
  CHECK(reports.count(report_context::shutdown_error, "stubborn") == 1);
  t.stop(*sup);
}

TEST_CASE("a shutdown of 0 ms sends the shutdown exit and kills at once if it is ignored") {
  test_system t;
  report_log reports;
  auto stubborn = worker_spec("stubborn", restart_type::permanent, {"stubborn", nullptr, true});
  stubborn.shutdown = sv::shutdown_spec::after(0ms);
  auto polite = worker_spec("polite");
  polite.shutdown = sv::shutdown_spec::after(0ms);
  auto sup = sv::start_supervisor(t.sys, {}, {stubborn, polite}, {"zero", reports.handler()});
  REQUIRE(sup);
  auto child = t.child(*sup, "stubborn");
  CHECK_FALSE(sv::terminate_child(t.self, *sup, std::string{"stubborn"}));
  CHECK(t.await_down(child) == caf::exit_reason::kill);
  CHECK(reports.count(report_context::shutdown_error, "stubborn") == 1);
  t.stop(*sup);
}

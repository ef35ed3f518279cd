// OTP's restart matrix: every strategy x restart type x exit kind.
#include <doctest/doctest.h>

#include "test_support.hpp"

using namespace sup_test;
using sv::restart_strategy;
using sv::restart_type;

namespace {

enum class exit_kind { normal, shutdown, abnormal };

const char* name_of(exit_kind x) {
  switch (x) {
    case exit_kind::normal: return "normal";
    case exit_kind::shutdown: return "shutdown";
    case exit_kind::abnormal: return "abnormal";
  }
  return "?";
}

void make_exit(test_system& t, const caf::actor& child, exit_kind how) {
  switch (how) {
    case exit_kind::normal: t.self->send(child, normal_atom::value); break;
    case exit_kind::shutdown: t.self->send_exit(child, sv::shutdown_reason()); break;
    case exit_kind::abnormal: t.self->send(child, crash_atom::value); break;
  }
}

bool restarts(restart_type type, exit_kind how) {
  return type == restart_type::permanent ||
         (type == restart_type::transient && how == exit_kind::abnormal);
}

// Static strategies: children a, b, c; b has the restart type under test, a and c are permanent.
void run_static(restart_strategy strategy, restart_type type, exit_kind how) {
  CAPTURE(sv::to_string(strategy));
  CAPTURE(sv::to_string(type));
  CAPTURE(name_of(how));
  test_system t;
  report_log reports;
  sv::supervisor_flags flags{strategy, 10, 5000ms, sv::auto_shutdown_mode::never};
  auto sup =
    sv::start_supervisor(t.sys, flags, {worker_spec("a"), worker_spec("b", type), worker_spec("c")},
                         {"matrix", reports.handler(), {}});
  REQUIRE(sup);
  auto a = t.child(*sup, "a");
  auto b = t.child(*sup, "b");
  auto c = t.child(*sup, "c");
  REQUIRE((a && b && c));
  make_exit(t, b, how);
  const bool restarted = restarts(type, how);
  // Settled: b runs as a new actor, or b is undefined (transient) or gone (temporary).
  REQUIRE(wait_until([&] {
    auto now = t.child(*sup, "b");
    if (restarted)
      return now && now != b;
    return !now && (type != restart_type::temporary || !t.has_child(*sup, "b"));
  }));
  const bool others_restarted = restarted && strategy == restart_strategy::one_for_all;
  CHECK((t.child(*sup, "a") != a) == others_restarted);
  const bool c_restarted = restarted && strategy != restart_strategy::one_for_one;
  CHECK((t.child(*sup, "c") != c) == c_restarted);
  const bool reported = type == restart_type::permanent || how == exit_kind::abnormal;
  CHECK(reports.count(sv::report_context::child_terminated, "b") == (reported ? 1u : 0u));
  CHECK(reports.count(sv::report_context::child_terminated, "a") == 0);
  CHECK(reports.count(sv::report_context::reached_max_restart_intensity) == 0);
  t.stop(*sup);
}

void run_dynamic(restart_type type, exit_kind how) {
  CAPTURE(sv::to_string(type));
  CAPTURE(name_of(how));
  test_system t;
  report_log reports;
  sv::supervisor_flags flags{restart_strategy::simple_one_for_one, 10, 5000ms,
                             sv::auto_shutdown_mode::never};
  auto sup =
    sv::start_supervisor(t.sys, flags, {worker_spec("w", type)}, {"matrix", reports.handler(), {}});
  REQUIRE(sup);
  std::vector<caf::actor> kids;
  for (int i = 0; i < 3; ++i) {
    auto kid = sv::start_child(t.self, *sup, caf::make_message(i));
    REQUIRE(kid);
    kids.push_back(*kid);
  }
  make_exit(t, kids[1], how);
  const bool restarted = restarts(type, how);
  auto running = [&] {
    std::vector<caf::actor> xs;
    for (auto& x : t.children(*sup))
      if (x.child)
        xs.push_back(x.child);
    return xs;
  };
  REQUIRE(wait_until([&] {
    auto xs = running();
    bool old_gone = std::find(xs.begin(), xs.end(), kids[1]) == xs.end();
    return old_gone && xs.size() == (restarted ? 3u : 2u);
  }));
  auto xs = running();
  CHECK(std::find(xs.begin(), xs.end(), kids[0]) != xs.end());
  CHECK(std::find(xs.begin(), xs.end(), kids[2]) != xs.end());
  const bool reported = type == restart_type::permanent || how == exit_kind::abnormal;
  CHECK(reports.count(sv::report_context::child_terminated) == (reported ? 1u : 0u));
  t.stop(*sup);
}

const restart_type all_types[] = {restart_type::permanent, restart_type::transient,
                                  restart_type::temporary};
const exit_kind all_exits[] = {exit_kind::normal, exit_kind::shutdown, exit_kind::abnormal};

} // namespace

TEST_CASE("one_for_one restarts only the terminated child, as its restart type demands") {
  for (auto type : all_types)
    for (auto how : all_exits)
      run_static(restart_strategy::one_for_one, type, how);
}

TEST_CASE("one_for_all restarts every child when a child is restarted") {
  for (auto type : all_types)
    for (auto how : all_exits)
      run_static(restart_strategy::one_for_all, type, how);
}

TEST_CASE("rest_for_one restarts the terminated child and the children started after it") {
  for (auto type : all_types)
    for (auto how : all_exits)
      run_static(restart_strategy::rest_for_one, type, how);
}

TEST_CASE("simple_one_for_one restarts only the terminated dynamic child") {
  for (auto type : all_types)
    for (auto how : all_exits)
      run_dynamic(type, how);
}

#include <doctest/doctest.h>

#include "supervision/validate.hpp"
#include "test_support.hpp"

using namespace sup_test;
using sv::sup_error;

namespace {

sv::supervisor_flags flags(sv::restart_strategy s = sv::restart_strategy::one_for_one) {
  sv::supervisor_flags f;
  f.strategy = s;
  return f;
}

} // namespace

TEST_CASE("a child spec without an id is refused with missing_id") {
  CHECK(sv::validate(flags(), {worker_spec("")}) == sup_error::missing_id);
}

TEST_CASE("two child specs with the same id are refused with duplicate_id naming the id") {
  auto err = sv::validate(flags(), {worker_spec("a"), worker_spec("b"), worker_spec("a")});
  CHECK(err == sup_error::duplicate_id);
  CHECK(sv::describe(err) == R"(supervisor:duplicate_id("a"))");
}

TEST_CASE("a child spec without a start function is refused with missing_start") {
  sv::child_spec spec;
  spec.id = "a";
  CHECK(sv::validate(flags(), {spec}) == sup_error::missing_start);
}

TEST_CASE("OTP bad_combination: a significant permanent child is refused, transient and temporary "
          "are not") {
  auto f = flags();
  f.auto_shutdown = sv::auto_shutdown_mode::any_significant;
  auto spec = worker_spec("a");
  spec.significant = true;
  auto err = sv::validate(f, {spec});
  CHECK(err == sup_error::bad_combination);
  CHECK(sv::describe(err).find("restart=permanent,significant=true") != std::string::npos);
  spec.restart = sv::restart_type::transient;
  CHECK_FALSE(sv::validate(f, {spec}));
  spec.restart = sv::restart_type::temporary;
  CHECK_FALSE(sv::validate(f, {spec}));
}

TEST_CASE("OTP bad_combination: a significant child under auto_shutdown never is refused") {
  auto spec = worker_spec("a", sv::restart_type::transient);
  spec.significant = true;
  auto f = flags();
  f.auto_shutdown = sv::auto_shutdown_mode::never;
  auto err = sv::validate(f, {spec});
  CHECK(err == sup_error::bad_combination);
  CHECK(sv::describe(err).find("auto_shutdown=never,significant=true") != std::string::npos);
  // Checked before the restart type, as OTP's validSignificant/3 does.
  spec.restart = sv::restart_type::permanent;
  CHECK(sv::describe(sv::validate(f, {spec})).find("auto_shutdown=never") != std::string::npos);
}

TEST_CASE("start_child refuses a significant spec on a supervisor with auto_shutdown never") {
  test_system t;
  auto sup = sv::start_supervisor(t.sys, flags(), {});
  REQUIRE(sup);
  auto spec = worker_spec("s", sv::restart_type::transient);
  spec.significant = true;
  auto child = sv::start_child(t.self, *sup, spec);
  REQUIRE_FALSE(child);
  CHECK(child.error() == sup_error::bad_combination);
  t.stop(*sup);
}

TEST_CASE("OTP shutdown timeouts: 0 ms is valid, a negative timeout is invalid_shutdown") {
  auto spec = worker_spec("a");
  spec.shutdown = sv::shutdown_spec::after(0ms);
  CHECK_FALSE(sv::validate(flags(), {spec}));
  spec.shutdown = sv::shutdown_spec::after(-1ms);
  CHECK(sv::validate(flags(), {spec}) == sup_error::invalid_shutdown);
}

TEST_CASE("simple_one_for_one needs exactly one child spec") {
  auto f = flags(sv::restart_strategy::simple_one_for_one);
  CHECK(sv::validate(f, {}) == sup_error::dynamic_needs_one_spec);
  CHECK(sv::validate(f, {worker_spec("a"), worker_spec("b")}) == sup_error::dynamic_needs_one_spec);
  CHECK_FALSE(sv::validate(f, {worker_spec("a")}));
}

TEST_CASE("a negative intensity and a non-positive period are refused") {
  auto f = flags();
  f.intensity = -1;
  CHECK(sv::validate(f, {}) == sup_error::invalid_intensity);
  f.intensity = 0;
  f.period = 0ms;
  CHECK(sv::validate(f, {}) == sup_error::invalid_period);
}

TEST_CASE("start_supervisor refuses invalid specs before starting any child") {
  test_system t;
  auto starts = std::make_shared<std::atomic<int>>(0);
  auto sup = sv::start_supervisor(
    t.sys, flags(), {worker_spec("a", sv::restart_type::permanent, {}, starts), worker_spec("a")});
  REQUIRE_FALSE(sup);
  CHECK(sup.error() == sup_error::duplicate_id);
  CHECK(*starts == 0);
}

TEST_CASE("error codes have names and render through the actor system") {
  CHECK(sv::to_string(sup_error::bad_combination) == "bad_combination");
  caf::actor_system_config cfg;
  sv::register_error_category(cfg);
  test_system::config(cfg);
  caf::actor_system sys{cfg};
  CHECK(sys.render(sv::make_error(sup_error::not_found, "x")) == R"(supervisor:not_found("x"))");
}

TEST_CASE("exit reasons map to OTP's normal, shutdown and abnormal") {
  CHECK(sv::is_normal(caf::error{}));
  CHECK(sv::is_normal(caf::exit_reason::normal));
  CHECK(sv::is_shutdown(sv::shutdown_reason()));
  CHECK(sv::is_shutdown(sv::shutdown_reason("maintenance")));
  CHECK(sv::is_abnormal(caf::exit_reason::kill));
  CHECK(sv::is_abnormal(caf::sec::runtime_error));
  CHECK_FALSE(sv::is_abnormal(sv::shutdown_reason()));
  CHECK(sv::should_restart(sv::restart_type::transient, caf::exit_reason::kill));
  CHECK_FALSE(sv::should_restart(sv::restart_type::transient, sv::shutdown_reason("x")));
  CHECK_FALSE(sv::should_restart(sv::restart_type::temporary, caf::sec::runtime_error));
}

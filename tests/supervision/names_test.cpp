// Registered names (names.hpp): OTP's {local, Name} child registration and whereis.
#include <doctest/doctest.h>

#include "supervision/names.hpp"
#include "test_support.hpp"

#include <stdexcept>

using namespace sup_test;

TEST_CASE("a registered child is found by name, and its restarted successor takes the name over") {
  test_system t;
  const auto name = sv::name("worker_a");
  CHECK_FALSE(sv::whereis(t.sys, name)); // nobody registered yet
  auto sup = sv::start_supervisor(t.sys, {}, {sv::registered(name, worker_spec("a"))});
  REQUIRE(sup);
  auto first = sv::whereis(t.sys, name);
  REQUIRE(first);
  CHECK(first == t.children(*sup).at(0).child);

  caf::anon_send(first, crash_atom::value);
  REQUIRE(wait_until([&] {
    auto now = sv::whereis(t.sys, name);
    return now && now != first;
  }));
  CHECK(sv::whereis(t.sys, name) == t.children(*sup).at(0).child);
  t.stop(*sup);
}

TEST_CASE("a name of 1 to 10 characters is accepted, a longer or empty one refused") {
  CHECK(sv::name("sb_conns") == caf::atom("sb_conns"));
  CHECK(sv::name("0123456789") == caf::atom("0123456789"));
  CHECK_THROWS_AS((void)sv::name("01234567890"), std::invalid_argument);
  CHECK_THROWS_AS((void)sv::name(""), std::invalid_argument);
}

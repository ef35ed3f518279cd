#include <doctest/doctest.h>

#include "supervision/restart_intensity.hpp"

using namespace std::chrono_literals;
using switchboard::supervision::restart_intensity;

namespace {
const auto t0 = std::chrono::steady_clock::time_point{} + 1h;
}

TEST_CASE("restarts up to the intensity within the period are allowed") {
  restart_intensity window{2, 5s};
  CHECK(window.add_restart(t0));
  CHECK(window.add_restart(t0 + 1s));
}

TEST_CASE("one restart more than the intensity within the period is refused") {
  restart_intensity window{2, 5s};
  CHECK(window.add_restart(t0));
  CHECK(window.add_restart(t0 + 1s));
  CHECK_FALSE(window.add_restart(t0 + 2s));
}

TEST_CASE("restarts spread beyond the period are always allowed") {
  restart_intensity window{2, 5s};
  for (int i = 0; i < 10; ++i)
    CHECK(window.add_restart(t0 + i * 3s));
  CHECK(window.size() <= 2);
}

TEST_CASE("a restart exactly one period ago still counts, as in OTP") {
  restart_intensity window{1, 5s};
  CHECK(window.add_restart(t0));
  CHECK_FALSE(window.add_restart(t0 + 5s));
  restart_intensity later{1, 5s};
  CHECK(later.add_restart(t0));
  CHECK(later.add_restart(t0 + 5s + 1ms));
}

TEST_CASE("intensity zero refuses the first restart") {
  restart_intensity window{0, 5s};
  CHECK_FALSE(window.add_restart(t0));
}

TEST_CASE("the window keeps at most intensity plus one timestamps") {
  restart_intensity window{3, 1h};
  for (int i = 0; i < 100; ++i)
    (void)window.add_restart(t0 + i * 1ms);
  CHECK(window.size() == 4);
}

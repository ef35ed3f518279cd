// The inbound rate limit: burst, refill rate, refusal counting, against a clock the test sets.

#include "net/token_bucket.hpp"

#include <doctest/doctest.h>

#include <chrono>
#include <type_traits>

using namespace std::chrono_literals;

namespace {

/// Reads the time the test sets; copies (the bucket holds one) share it.
struct manual_clock {
  using duration = std::chrono::nanoseconds;
  using rep = duration::rep;
  using period = duration::period;
  using time_point = std::chrono::time_point<manual_clock>;
  static constexpr bool is_steady = true;

  const time_point* t;
  time_point now() const noexcept { return *t; }
};

using bucket = switchboard::net::basic_token_bucket<manual_clock>;

/// A bucket and the time it sees.
struct fixture {
  manual_clock::time_point now{};
  void set(manual_clock::duration since_start) { now = manual_clock::time_point{since_start}; }
  bucket make(double rate, double burst) { return bucket{rate, burst, manual_clock{&now}}; }
};

int takes(bucket& b, int attempts) {
  int granted = 0;
  for (int i = 0; i < attempts; ++i)
    granted += b.take() ? 1 : 0;
  return granted;
}

} // namespace

TEST_CASE("a fresh bucket grants its burst at once, then refuses") {
  fixture f;
  auto b = f.make(1, 3);
  CHECK(b.take());
  CHECK(b.take());
  CHECK(b.take());
  CHECK_FALSE(b.take());
}

TEST_CASE("tokens come back at the rate, never above the burst") {
  fixture f;
  auto b = f.make(10, 2);
  CHECK(takes(b, 2) == 2);
  f.set(50ms);
  CHECK_FALSE(b.take()); // half a token
  f.set(100ms);
  CHECK(b.take()); // the other half arrived
  CHECK_FALSE(b.take());
  // A long pause refills to the burst, not beyond it.
  f.set(60s);
  CHECK(takes(b, 3) == 2);
}

// The times below are binary fractions of a second, so the sums are exact in floating point.
TEST_CASE("the refill is continuous: one token per 1/rate seconds, not whole seconds") {
  fixture f;
  auto b = f.make(4, 1); // a token every 250 ms
  CHECK(b.take());
  f.set(187'500us);
  CHECK_FALSE(b.take()); // three quarters of a token
  f.set(250ms);
  CHECK(b.take()); // the last quarter arrived: refusals kept what had accumulated
  f.set(437'500us);
  CHECK_FALSE(b.take());
  f.set(500ms);
  CHECK(b.take());
}

TEST_CASE("fractional rates accumulate across takes") {
  fixture f;
  auto b = f.make(0.5, 1); // a token every 2 s
  CHECK(b.take());
  for (int ms = 125; ms < 2000; ms += 125) {
    f.set(std::chrono::milliseconds{ms});
    CHECK_FALSE(b.take());
  }
  f.set(2000ms);
  CHECK(b.take());
}

TEST_CASE("the burst caps what an idle connection saves up") {
  fixture f;
  auto b = f.make(100, 5);
  CHECK(takes(b, 5) == 5);
  f.set(1h);
  CHECK(takes(b, 100) == 5);
}

TEST_CASE("refusals do not consume tokens and a clock that goes back grants nothing") {
  fixture f;
  f.set(1000ms);
  auto b = f.make(1, 1);
  CHECK(b.take());
  CHECK(takes(b, 100) == 0);
  f.set(500ms);
  CHECK_FALSE(b.take());
  // The refill restarts from the earlier time: 1.5 s have passed since it.
  f.set(2000ms);
  CHECK(b.take());
}

TEST_CASE("refusals in a row are counted until a token is taken") {
  fixture f;
  auto b = f.make(10, 1);
  CHECK(b.refused_in_a_row() == 0);
  CHECK(b.take());
  CHECK(b.refused_in_a_row() == 0);
  CHECK(takes(b, 7) == 0);
  CHECK(b.refused_in_a_row() == 7);
  f.set(100ms);
  CHECK(b.take());
  CHECK(b.refused_in_a_row() == 0);
  CHECK_FALSE(b.take());
  CHECK(b.refused_in_a_row() == 1);
}

TEST_CASE("a sustained rate above the limit is held to the limit") {
  fixture f;
  auto b = f.make(20, 5);
  int granted = 0;
  // 1,000 attempts a second for 10 s against 20 tokens a second and a burst of 5.
  for (int t = 0; t < 10'000; ++t) {
    f.set(std::chrono::milliseconds{t});
    granted += b.take() ? 1 : 0;
  }
  CHECK(granted >= 5 + 20 * 10 - 1);
  CHECK(granted <= 5 + 20 * 10);
}

TEST_CASE("the default bucket reads steady_clock") {
  static_assert(std::is_same_v<switchboard::net::token_bucket::clock, std::chrono::steady_clock>);
  switchboard::net::token_bucket b{0.001, 2}; // a token every 1,000 s
  CHECK(b.take());
  CHECK(b.take());
  CHECK_FALSE(b.take());
}

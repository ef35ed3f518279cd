#include "net/token_bucket.hpp"

#include <doctest/doctest.h>

using switchboard::net::token_bucket;

namespace {
constexpr std::int64_t ms = 1'000'000; // nanoseconds
}

TEST_CASE("a fresh bucket grants its burst at once, then refuses") {
  token_bucket b{3, 0};
  CHECK(b.take(1, 3, 0));
  CHECK(b.take(1, 3, 0));
  CHECK(b.take(1, 3, 0));
  CHECK_FALSE(b.take(1, 3, 0));
}

TEST_CASE("tokens come back at the rate, never above the burst") {
  token_bucket b{2, 0};
  CHECK(b.take(10, 2, 0));
  CHECK(b.take(10, 2, 0));
  CHECK_FALSE(b.take(10, 2, 50 * ms)); // half a token
  CHECK(b.take(10, 2, 100 * ms));      // the other half arrived
  CHECK_FALSE(b.take(10, 2, 100 * ms));
  // A long pause refills to the burst, not beyond it.
  CHECK(b.take(10, 2, 60'000 * ms));
  CHECK(b.take(10, 2, 60'000 * ms));
  CHECK_FALSE(b.take(10, 2, 60'000 * ms));
}

TEST_CASE("refusals do not consume tokens and a clock that goes back grants nothing") {
  token_bucket b{1, 1000 * ms};
  CHECK(b.take(1, 1, 1000 * ms));
  for (int i = 0; i < 100; ++i)
    CHECK_FALSE(b.take(1, 1, 1000 * ms));
  CHECK_FALSE(b.take(1, 1, 500 * ms));
  CHECK(b.take(1, 1, 2000 * ms));
}

TEST_CASE("a sustained rate above the limit is held to the limit") {
  token_bucket b{5, 0};
  int granted = 0;
  // 1,000 attempts a second for 10 s against 20 tokens a second and a burst of 5.
  for (std::int64_t t = 0; t < 10'000; ++t)
    granted += b.take(20, 5, t * ms) ? 1 : 0;
  CHECK(granted >= 5 + 20 * 10 - 1);
  CHECK(granted <= 5 + 20 * 10);
}

// The drained notifications one connection owes: one per requester, cancelled per requester,
// handed out all at once, and bounded.

#include "net/drain_waiters.hpp"

#include <doctest/doctest.h>

#include <string>

using switchboard::net::drain_waiters;

TEST_CASE("drain_waiters keeps one callback per requester and hands them out in order of asking") {
  drain_waiters w;
  std::string ran;
  CHECK(w.add(1, [&] { ran += "a"; }));
  CHECK(w.add(2, [&] { ran += "b"; }));
  CHECK(w.add(1, [&] { ran += "c"; })); // replaces a, keeps its place
  CHECK(w.size() == 2);
  for (auto& fn : w.take_all())
    fn();
  CHECK(ran == "cb");
  CHECK(w.empty());
}

TEST_CASE("drain_waiters drops a cancelled requester's callback unrun") {
  drain_waiters w;
  int runs = 0;
  CHECK(w.add(1, [&] { ++runs; }));
  CHECK(w.add(2, [&] { runs += 10; }));
  w.cancel(1);
  w.cancel(3); // never asked: nothing happens
  for (auto& fn : w.take_all())
    fn();
  CHECK(runs == 10);
  CHECK(w.add(4, [&] { ++runs; }));
  w.clear();
  CHECK(w.take_all().empty());
}

TEST_CASE("drain_waiters refuses a requester beyond max_waiters but still replaces a known one") {
  drain_waiters w;
  for (std::uint64_t r = 0; r < drain_waiters::max_waiters; ++r)
    CHECK(w.add(r, [] {}));
  CHECK_FALSE(w.add(drain_waiters::max_waiters, [] {}));
  CHECK(w.add(0, [] {}));
  CHECK(w.size() == drain_waiters::max_waiters);
}

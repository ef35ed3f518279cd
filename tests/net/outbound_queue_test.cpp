// The outbound queue policy of one connection: order, batches, pong coalescing, the close frame,
// byte accounting, both bounds (at the limit and one byte over) and the three overflow policies.

#include "net/outbound_queue.hpp"

#include <doctest/doctest.h>

#include <string>
#include <vector>

namespace sb = switchboard;
using sb::actors::frame_class;
using sb::actors::frame_ptr;
using sb::actors::overflow_policy;
using sb::net::batch_outcome;
using sb::net::outbound_limits;
using sb::net::outbound_queue;
using sb::net::push_verdict;
using batch = std::vector<frame_ptr>;

namespace {

frame_ptr frame(std::size_t size, frame_class cls,
                overflow_policy policy = overflow_policy::close) {
  return std::make_shared<const sb::actors::outbound_frame>(
    sb::actors::outbound_frame{std::string(size, 'x'), cls, policy});
}
frame_ptr broadcast(std::size_t size, overflow_policy policy = overflow_policy::close) {
  return frame(size, frame_class::broadcast, policy);
}
frame_ptr control(std::size_t size) {
  return frame(size, frame_class::control);
}

push_verdict push(outbound_queue& q, const frame_ptr& f) {
  return q.push(f).verdict;
}

/// Claims the writer and takes the next batch (empty when there is nothing to write).
batch take(outbound_queue& q) {
  (void)q.claim_writer(); // already held when the last batch_written() said `more`
  batch b;
  (void)q.take_batch(b);
  return b;
}

/// Takes and writes batches until the queue is empty.
void drain(outbound_queue& q) {
  (void)q.claim_writer();
  batch b;
  while (q.take_batch(b))
    if (!q.batch_written().more)
      break;
}

constexpr outbound_limits limits{100, 200}; // max_bytes, max_control_bytes

} // namespace

TEST_SUITE("outbound queue: order and batches") {
  TEST_CASE("frames are written in push order, whatever their class") {
    outbound_queue q{limits};
    auto a = control(1), b = broadcast(2), c = control(3), d = broadcast(4);
    for (const auto& f : {a, b, c, d})
      CHECK(push(q, f) == push_verdict::queued);
    CHECK(take(q) == batch{a, b, c, d});
  }

  TEST_CASE("an empty queue gives no batch and releases the writer") {
    outbound_queue q{limits};
    CHECK(q.claim_writer());
    batch b{control(1)};
    CHECK_FALSE(q.take_batch(b));
    CHECK(b.empty());
    CHECK(q.claim_writer());
  }

  TEST_CASE("one writer at a time: the role is held until nothing is left") {
    outbound_queue q{limits};
    CHECK(push(q, control(1)) == push_verdict::queued);
    CHECK(q.claim_writer());
    CHECK_FALSE(q.claim_writer()); // a second push finds the writer already woken
    batch b;
    REQUIRE(q.take_batch(b));
    CHECK(push(q, control(1)) == push_verdict::queued);
    CHECK_FALSE(q.claim_writer()); // still writing
    auto next = q.batch_written();
    CHECK(next.more);
    CHECK_FALSE(q.claim_writer()); // more to write: the writer keeps the role
    REQUIRE(q.take_batch(b));
    next = q.batch_written();
    CHECK_FALSE(next.more);
    CHECK(q.claim_writer()); // released
  }

  TEST_CASE("frames pushed while a batch is written go in the next batch") {
    outbound_queue q{limits};
    auto a = broadcast(1), b = broadcast(1), c = control(1);
    (void)push(q, a);
    CHECK(take(q) == batch{a});
    (void)push(q, b);
    (void)push(q, c);
    CHECK(q.batch_written().more);
    CHECK(take(q) == batch{b, c});
    CHECK_FALSE(q.batch_written().more);
  }
}

TEST_SUITE("outbound queue: pongs") {
  TEST_CASE("only the latest ping's pong is held: it replaces one not yet taken") {
    outbound_queue q{limits};
    auto p1 = control(10), p2 = control(6);
    CHECK(q.queue_pong(p1));
    CHECK(q.queue_pong(p2));
    CHECK(q.bytes() == 6);
    CHECK(q.control_bytes() == 6);
    CHECK(take(q) == batch{p2});
  }

  TEST_CASE("the pending pong goes ahead of the queued frames in the next batch") {
    outbound_queue q{limits};
    auto a = broadcast(1), b = control(1), p = control(2);
    (void)push(q, a);
    (void)push(q, b);
    CHECK(q.queue_pong(p));
    CHECK(take(q) == batch{p, a, b});
  }

  TEST_CASE("a pong being written is not replaced: the next one waits for the next batch") {
    outbound_queue q{limits};
    auto p1 = control(5), p2 = control(7);
    CHECK(q.queue_pong(p1));
    CHECK(take(q) == batch{p1});
    CHECK(q.queue_pong(p2));
    CHECK(q.bytes() == 12); // both are held: one in flight, one queued
    CHECK(q.batch_written().more);
    CHECK(q.bytes() == 7);
    CHECK(take(q) == batch{p2});
    CHECK_FALSE(q.batch_written().more);
    CHECK(q.bytes() == 0);
  }

  TEST_CASE("a pong alone is a batch") {
    outbound_queue q{limits};
    CHECK(q.claim_writer());
    CHECK(q.queue_pong(control(3)));
    batch b;
    CHECK(q.take_batch(b));
    CHECK(b.size() == 1);
  }
}

TEST_SUITE("outbound queue: the close frame") {
  TEST_CASE("the close frame follows every queued frame, with the pending pong just before it") {
    outbound_queue q{limits};
    auto a = broadcast(1), b = control(1), p = control(2), c = control(4);
    (void)push(q, a);
    (void)push(q, b);
    CHECK(q.queue_pong(p));
    CHECK(q.queue_close(c));
    CHECK(take(q) == batch{a, b, p, c});
  }

  TEST_CASE("after a close, pushes are closed and pongs and second closes refused") {
    outbound_queue q{limits};
    auto c = control(4);
    CHECK(q.open());
    CHECK(q.queue_close(c));
    CHECK_FALSE(q.open());
    CHECK(q.closing());
    CHECK(push(q, broadcast(1)) == push_verdict::closed);
    CHECK(push(q, control(1)) == push_verdict::closed);
    CHECK_FALSE(q.queue_pong(control(2)));
    CHECK_FALSE(q.queue_close(control(4)));
    CHECK(q.bytes() == 4);
    CHECK(take(q) == batch{c});
  }

  TEST_CASE("the close is reported sent once the batch that carries it is written") {
    outbound_queue q{limits};
    auto a = broadcast(1), c = control(4);
    (void)push(q, a);
    CHECK(take(q) == batch{a});
    CHECK(q.queue_close(c)); // while the first batch is in flight
    auto next = q.batch_written();
    CHECK(next.more);
    CHECK_FALSE(next.close_sent);
    CHECK(take(q) == batch{c});
    next = q.batch_written();
    CHECK_FALSE(next.more);
    CHECK(next.close_sent);
    CHECK(q.bytes() == 0);
    CHECK(q.claim_writer());
    batch b;
    CHECK_FALSE(q.take_batch(b)); // nothing follows the close frame
  }

  TEST_CASE("a close queued with the frames before it goes out in the same batch") {
    outbound_queue q{limits};
    auto a = control(1), c = control(4);
    (void)push(q, a);
    CHECK(q.queue_close(c));
    CHECK(take(q) == batch{a, c});
    CHECK(q.batch_written().close_sent);
  }

  TEST_CASE("the close frame is not refused by the control bound") {
    outbound_queue q{limits};
    CHECK(push(q, control(200)) == push_verdict::queued);
    CHECK(q.queue_close(control(4)));
    CHECK(q.control_bytes() == 204);
  }
}

TEST_SUITE("outbound queue: accounting") {
  TEST_CASE("bytes count every class, the pending pong and the batch being written") {
    outbound_queue q{limits};
    (void)push(q, broadcast(10));
    (void)push(q, control(20));
    CHECK(q.queue_pong(control(5)));
    CHECK(q.bytes() == 35);
    CHECK(q.control_bytes() == 25);
    (void)take(q);
    CHECK(q.bytes() == 35); // in flight, still held
    CHECK(q.control_bytes() == 25);
    (void)push(q, broadcast(7));
    CHECK(q.batch_written().more);
    CHECK(q.bytes() == 7);
    CHECK(q.control_bytes() == 0);
  }

  TEST_CASE("the peak is the most a push made the queue hold") {
    outbound_queue q{limits};
    (void)push(q, broadcast(30));
    (void)push(q, control(40));
    CHECK(q.peak_bytes() == 70);
    drain(q);
    CHECK(q.bytes() == 0);
    (void)push(q, broadcast(10));
    CHECK(q.peak_bytes() == 70);
    CHECK(push(q, broadcast(95)) == push_verdict::slow_consumer); // refused frames do not count
    CHECK(q.peak_bytes() == 70);
  }

  TEST_CASE("a discarded queue holds nothing, refuses everything and keeps its counters") {
    outbound_queue q{limits};
    (void)push(q, broadcast(60, overflow_policy::drop_newest));
    CHECK(push(q, broadcast(60, overflow_policy::drop_newest)) == push_verdict::dropped);
    (void)push(q, control(10));
    CHECK(q.queue_pong(control(3)));
    (void)take(q);
    q.discard();
    CHECK(q.discarded());
    CHECK_FALSE(q.open());
    CHECK(q.bytes() == 0);
    CHECK(q.control_bytes() == 0);
    CHECK(q.peak_bytes() == 70);
    CHECK(q.dropped() == 1);
    CHECK(push(q, control(1)) == push_verdict::closed);
    CHECK_FALSE(q.queue_pong(control(1)));
    CHECK_FALSE(q.queue_close(control(1)));
    auto late = q.batch_written(); // a write that completed as the socket closed
    CHECK_FALSE(late.more);
    CHECK_FALSE(late.close_sent);
    CHECK(q.bytes() == 0);
    CHECK(q.claim_writer());
    batch b;
    CHECK_FALSE(q.take_batch(b));
  }
}

TEST_SUITE("outbound queue: the broadcast bound") {
  TEST_CASE("a broadcast that brings the queue exactly to max_bytes is queued") {
    outbound_queue q{limits};
    CHECK(push(q, broadcast(60)) == push_verdict::queued);
    CHECK(push(q, broadcast(40)) == push_verdict::queued);
    CHECK(q.bytes() == 100);
  }

  TEST_CASE("one byte over max_bytes meets the overflow policy") {
    outbound_queue q{limits};
    CHECK(push(q, broadcast(60)) == push_verdict::queued);
    CHECK(push(q, broadcast(41)) == push_verdict::slow_consumer);
    CHECK(q.bytes() == 60);
    CHECK(q.open()); // closing is the caller's move
  }

  TEST_CASE("the broadcast bound counts control frames, the pong and the batch in flight") {
    outbound_queue q{limits};
    CHECK(push(q, control(90)) == push_verdict::queued);
    CHECK(push(q, broadcast(11)) == push_verdict::slow_consumer);
    CHECK(push(q, broadcast(10)) == push_verdict::queued);
    (void)take(q); // 100 bytes in flight
    CHECK(push(q, broadcast(1)) == push_verdict::slow_consumer);
    CHECK_FALSE(q.batch_written().more);
    CHECK(q.queue_pong(control(95)));
    CHECK(push(q, broadcast(6)) == push_verdict::slow_consumer);
    CHECK(push(q, broadcast(5)) == push_verdict::queued);
  }

  TEST_CASE("a broadcast larger than max_bytes is queued when nothing at all is held") {
    outbound_queue q{limits};
    CHECK(push(q, broadcast(500)) == push_verdict::queued);
    CHECK(push(q, broadcast(1)) == push_verdict::slow_consumer);
    drain(q);
    CHECK(push(q, control(1)) == push_verdict::queued);
    CHECK(push(q, broadcast(500)) == push_verdict::slow_consumer); // a control byte is held
  }

  TEST_CASE("a large broadcast is not queued while a batch is in flight or a pong pending") {
    outbound_queue q{limits};
    (void)push(q, broadcast(1));
    (void)take(q);
    CHECK(push(q, broadcast(101)) == push_verdict::slow_consumer);
    CHECK_FALSE(q.batch_written().more);
    CHECK(q.queue_pong(control(2)));
    CHECK(push(q, broadcast(101)) == push_verdict::slow_consumer);
  }
}

TEST_SUITE("outbound queue: overflow policies") {
  TEST_CASE("close: the broadcast is refused as a slow consumer and nothing is dropped") {
    outbound_queue q{limits};
    auto a = broadcast(80);
    (void)push(q, a);
    auto outcome = q.push(broadcast(21, overflow_policy::close));
    CHECK(outcome.verdict == push_verdict::slow_consumer);
    CHECK(outcome.dropped_oldest == 0);
    CHECK(q.dropped() == 0);
    CHECK(take(q) == batch{a});
  }

  TEST_CASE("drop_newest: the new broadcast is dropped and counted, and smaller ones still fit") {
    outbound_queue q{limits};
    auto a = broadcast(80), b = broadcast(20, overflow_policy::drop_newest);
    (void)push(q, a);
    auto outcome = q.push(broadcast(21, overflow_policy::drop_newest));
    CHECK(outcome.verdict == push_verdict::dropped);
    CHECK(outcome.dropped_oldest == 0);
    CHECK(q.dropped() == 1);
    CHECK(q.bytes() == 80);
    CHECK(push(q, b) == push_verdict::queued);
    CHECK(take(q) == batch{a, b});
  }

  TEST_CASE("drop_oldest: the oldest broadcasts go, only as many as needed, order kept") {
    outbound_queue q{limits};
    auto b1 = broadcast(25), b2 = broadcast(25), b3 = broadcast(25), b4 = broadcast(25);
    for (const auto& f : {b1, b2, b3, b4})
      (void)push(q, f);
    auto n = broadcast(30, overflow_policy::drop_oldest);
    auto outcome = q.push(n);
    CHECK(outcome.verdict == push_verdict::queued);
    CHECK(outcome.dropped_oldest == 2);
    CHECK(q.dropped() == 2);
    CHECK(q.bytes() == 80);
    CHECK(take(q) == batch{b3, b4, n});
  }

  TEST_CASE("drop_oldest: exactly enough room is enough") {
    outbound_queue q{limits};
    auto b1 = broadcast(30), b2 = broadcast(70);
    (void)push(q, b1);
    (void)push(q, b2);
    auto n = broadcast(30, overflow_policy::drop_oldest);
    auto outcome = q.push(n);
    CHECK(outcome.verdict == push_verdict::queued);
    CHECK(outcome.dropped_oldest == 1);
    CHECK(q.bytes() == 100);
    CHECK(take(q) == batch{b2, n});
  }

  TEST_CASE("drop_oldest never drops control frames: they keep their place") {
    outbound_queue q{limits};
    auto c1 = control(20), b1 = broadcast(30), c2 = control(20), b2 = broadcast(30);
    for (const auto& f : {c1, b1, c2, b2})
      (void)push(q, f);
    auto n = broadcast(40, overflow_policy::drop_oldest);
    auto outcome = q.push(n);
    CHECK(outcome.verdict == push_verdict::queued);
    CHECK(outcome.dropped_oldest == 2);
    CHECK(take(q) == batch{c1, c2, n});
  }

  TEST_CASE("drop_oldest never drops the batch in flight, and what still does not fit is dropped") {
    outbound_queue q{limits};
    auto in_flight = broadcast(80);
    (void)push(q, in_flight);
    (void)take(q);
    auto b1 = broadcast(10), b2 = control(5);
    (void)push(q, b1);
    (void)push(q, b2);
    auto outcome = q.push(broadcast(20, overflow_policy::drop_oldest));
    CHECK(outcome.verdict == push_verdict::dropped);
    CHECK(outcome.dropped_oldest == 1); // b1 went, and the new one did not fit either
    CHECK(q.dropped() == 2);
    CHECK(q.bytes() == 85);
    CHECK(q.batch_written().more);
    CHECK(take(q) == batch{b2});
  }

  TEST_CASE("drop_oldest: a broadcast larger than max_bytes empties the queue and is dropped") {
    outbound_queue q{limits};
    (void)push(q, broadcast(50));
    auto outcome = q.push(broadcast(101, overflow_policy::drop_oldest));
    CHECK(outcome.verdict == push_verdict::dropped);
    CHECK(outcome.dropped_oldest == 1);
    CHECK(q.bytes() == 0);
  }

  TEST_CASE("each broadcast carries its own route's policy") {
    outbound_queue q{limits};
    auto keep = broadcast(90, overflow_policy::drop_newest);
    (void)push(q, keep);
    CHECK(push(q, broadcast(20, overflow_policy::drop_newest)) == push_verdict::dropped);
    CHECK(push(q, broadcast(20, overflow_policy::close)) == push_verdict::slow_consumer);
    CHECK(push(q, broadcast(20, overflow_policy::drop_oldest)) == push_verdict::queued);
    CHECK(q.dropped() == 2); // the new drop_newest frame, then the oldest broadcast
  }

  TEST_CASE("drop_oldest with only control frames queued drops the new broadcast") {
    outbound_queue q{limits};
    (void)push(q, control(100));
    auto outcome = q.push(broadcast(1, overflow_policy::drop_oldest));
    CHECK(outcome.verdict == push_verdict::dropped);
    CHECK(outcome.dropped_oldest == 0);
    CHECK(q.dropped() == 1);
  }

  TEST_CASE("a drop policy under its bound drops nothing") {
    outbound_queue q{limits};
    for (int i = 0; i < 10; ++i)
      CHECK(push(q, broadcast(10, overflow_policy::drop_oldest)) == push_verdict::queued);
    CHECK(q.dropped() == 0);
    CHECK(q.bytes() == 100);
  }
}

TEST_SUITE("outbound queue: the control bound") {
  TEST_CASE("control frames up to exactly max_control_bytes are queued") {
    outbound_queue q{limits};
    CHECK(push(q, control(150)) == push_verdict::queued);
    CHECK(push(q, control(50)) == push_verdict::queued);
    CHECK(q.control_bytes() == 200);
  }

  TEST_CASE("one control byte over max_control_bytes is a slow consumer") {
    outbound_queue q{limits};
    CHECK(push(q, control(150)) == push_verdict::queued);
    CHECK(push(q, control(51)) == push_verdict::slow_consumer);
    CHECK(q.control_bytes() == 150);
    CHECK(q.dropped() == 0); // never dropped: refused, and the caller closes
  }

  TEST_CASE("the control bound ignores broadcasts") {
    outbound_queue q{limits};
    CHECK(push(q, broadcast(100)) == push_verdict::queued);
    CHECK(push(q, control(200)) == push_verdict::queued);
    CHECK(q.bytes() == 300);
  }

  TEST_CASE("a control frame larger than its bound is queued when no control bytes are held") {
    outbound_queue q{limits};
    CHECK(push(q, broadcast(50)) == push_verdict::queued);
    CHECK(push(q, control(1000)) == push_verdict::queued); // a large presence_state
    CHECK(push(q, control(1)) == push_verdict::slow_consumer);
    // Everything is now over max_bytes too: broadcasts meet their policy.
    CHECK(push(q, broadcast(1, overflow_policy::drop_newest)) == push_verdict::dropped);
  }

  TEST_CASE("the control bound counts the batch in flight until it is written") {
    outbound_queue q{limits};
    (void)push(q, control(200));
    (void)take(q);
    CHECK(push(q, control(1)) == push_verdict::slow_consumer);
    CHECK_FALSE(q.batch_written().more);
    CHECK(push(q, control(200)) == push_verdict::queued);
  }

  TEST_CASE("the pending pong counts against the control bound but is never refused") {
    outbound_queue q{limits};
    CHECK(push(q, control(195)) == push_verdict::queued);
    CHECK(q.queue_pong(control(10)));
    CHECK(q.control_bytes() == 205);
    CHECK(push(q, control(1)) == push_verdict::slow_consumer);
  }

  TEST_CASE("a large control frame is not queued while a pong is pending") {
    outbound_queue q{limits};
    CHECK(q.queue_pong(control(2)));
    CHECK(push(q, control(201)) == push_verdict::slow_consumer);
  }
}

TEST_CASE(
  "the queue counts as drained at half of max_bytes or less, the batch being written included") {
  outbound_queue q{{1000, 4000}};
  CHECK(q.drained());
  CHECK(push(q, broadcast(500)) == push_verdict::queued);
  CHECK(q.drained()); // exactly half
  CHECK(push(q, control(1)) == push_verdict::queued);
  CHECK_FALSE(q.drained()); // every class counts
  auto written = take(q);
  CHECK_FALSE(q.drained()); // still being written
  CHECK_FALSE(q.batch_written().more);
  CHECK(q.drained());
}

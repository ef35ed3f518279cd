// The WebSocket session over a real loopback socket, driven from several threads at once the way
// rooms, the sweeper and the I/O thread drive it in the server: per-pusher order, pongs, and the
// close frame after everything queued. Its main reader is the ThreadSanitizer pass.

#include "loopback_client.hpp"

#include "net/session_registry.hpp"
#include "net/ws_session.hpp"
#include "protocol/ws_frame.hpp"

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/write.hpp>
#include <doctest/doctest.h>

#include <atomic>
#include <cstdint>
#include <map>
#include <string>
#include <thread>
#include <vector>

namespace sb = switchboard;
namespace asio = boost::asio;
using asio::ip::tcp;

namespace {

using sb::tests::read_frame;
using sb::tests::server_frame;
using sb::tests::write_client_frame;

sb::actors::frame_ptr
text_frame(const std::string& payload, sb::actors::frame_class cls,
           sb::actors::overflow_policy policy = sb::actors::overflow_policy::close) {
  return std::make_shared<const sb::actors::outbound_frame>(sb::actors::outbound_frame{
    sb::protocol::ws_frame(sb::protocol::ws_opcode::text, payload), cls, policy});
}

/// "<pusher>:<sequence>" followed by padding.
std::string numbered(int pusher, int seq) {
  return std::to_string(pusher) + ":" + std::to_string(seq) + std::string(100, '.');
}
std::pair<int, int> number_of(const std::string& payload) {
  const auto colon = payload.find(':');
  return {std::stoi(payload.substr(0, colon)), std::stoi(payload.substr(colon + 1))};
}

/// A session on the server end of a loopback connection, its I/O thread, and the client end.
struct harness {
  asio::io_context ioc{1};
  asio::io_context client_ctx{1};
  tcp::socket client{client_ctx};
  sb::net::session_registry registry;
  std::shared_ptr<sb::net::ws_session> session;
  asio::executor_work_guard<asio::io_context::executor_type> work{ioc.get_executor()};
  std::thread io;

  /// `small_buffers`: the kernel holds a few KiB for this connection, so a client that does not
  /// read fills the session's queue at once.
  harness(const sb::net::session_options& options, bool small_buffers) {
    tcp::acceptor acceptor{ioc, {asio::ip::address_v4::loopback(), 0}};
    client.open(tcp::v4());
    if (small_buffers)
      client.set_option(asio::socket_base::receive_buffer_size(4096));
    client.connect(acceptor.local_endpoint());
    tcp::socket server_side{asio::make_strand(ioc)};
    acceptor.accept(server_side);
    if (small_buffers)
      server_side.set_option(asio::socket_base::send_buffer_size(4096));
    REQUIRE(registry.try_reserve(1));
    session = std::make_shared<sb::net::ws_session>(
      std::move(server_side), sb::protocol::serializer::v2, options, registry);
    session->start(sb::actors::connection_actor{}, "");
    io = std::thread{[this] { ioc.run(); }};
  }

  /// Answers the server's close frame and waits for the server to close the socket.
  void finish_close() {
    write_client_frame(client, sb::protocol::ws_opcode::close, "\x03\xe8");
    boost::system::error_code ec;
    char byte;
    asio::read(client, asio::buffer(&byte, 1), ec);
    CHECK(ec == asio::error::eof);
    work.reset();
    io.join();
    CHECK(registry.size() == 0);
  }
};

} // namespace

TEST_CASE("frames pushed from several threads arrive in each pusher's order, then the close") {
  constexpr int pushers = 4;
  constexpr int frames_each = 2000;
  sb::net::session_options options;
  options.max_outbound_bytes = 64 * 1024 * 1024; // nothing is dropped or refused here
  options.max_outbound_control_bytes = 64 * 1024 * 1024;
  harness h{options, false};
  auto& client = h.client;

  // A ping answered before any push: the pong path works and the session is reading.
  write_client_frame(client, sb::protocol::ws_opcode::ping, "first");
  auto pong = read_frame(client);
  CHECK(pong.opcode == 0xA);
  CHECK(pong.payload == "first");

  std::atomic<bool> sweeping{true};
  std::thread sweeper{[&] {
    while (sweeping.load())
      h.session->sweep(sb::net::ws_session::clock_ms());
  }};
  std::atomic<int> queued{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < pushers; ++t)
    threads.emplace_back([&, t] {
      const auto cls =
        t % 2 == 0 ? sb::actors::frame_class::broadcast : sb::actors::frame_class::control;
      for (int i = 0; i < frames_each; ++i)
        if (h.session->push(text_frame(numbered(t, i), cls)) == sb::actors::push_result::queued)
          ++queued;
    });

  // Read while the pushers run, pinging now and then: each pong answers one of these pings.
  std::map<int, int> next_seq;
  int pings_sent = 0, last_pong = -1, text_frames = 0;
  bool in_order = true, pongs_ok = true;
  auto take = [&](const server_frame& f) {
    if (f.opcode == 0xA) {
      const int n = std::stoi(f.payload);
      pongs_ok = pongs_ok && n > last_pong && n < pings_sent;
      last_pong = n;
      return;
    }
    ++text_frames;
    const auto [t, i] = number_of(f.payload);
    in_order = in_order && i == next_seq[t];
    next_seq[t] = i + 1;
  };
  while (text_frames < pushers * frames_each) {
    if (text_frames % 200 == 0 && pings_sent < 50)
      write_client_frame(client, sb::protocol::ws_opcode::ping, std::to_string(pings_sent++));
    take(read_frame(client));
  }
  for (auto& t : threads)
    t.join();
  CHECK(queued.load() == pushers * frames_each);
  CHECK(in_order);
  CHECK(pongs_ok);

  h.session->close(1000, "done");
  CHECK(h.session->push(text_frame("late", sb::actors::frame_class::control)) ==
        sb::actors::push_result::closed);
  // Pongs of the last pings may precede the close frame; nothing follows it.
  server_frame f = read_frame(client);
  while (f.opcode == 0xA) {
    take(f);
    f = read_frame(client);
  }
  REQUIRE(f.opcode == 0x8);
  CHECK(f.payload.substr(2) == "done");
  CHECK(pongs_ok);

  sweeping = false;
  sweeper.join();
  h.finish_close();
}

TEST_CASE("a client that does not read: broadcasts are dropped, replies close it with 1013") {
  constexpr int pushers = 2;
  constexpr int broadcasts_each = 2000;
  sb::net::session_options options;
  options.max_outbound_bytes = 16 * 1024;
  options.max_outbound_control_bytes = 32 * 1024;
  harness h{options, true};
  // The sweeper finds writes in flight here (the client does not read) and runs on until the
  // session has finished.
  std::atomic<bool> sweeping{true};
  std::thread sweeper{[&] {
    while (sweeping.load())
      h.session->sweep(sb::net::ws_session::clock_ms());
  }};

  std::atomic<int> queued{0}, dropped{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < pushers; ++t)
    threads.emplace_back([&, t] {
      for (int i = 0; i < broadcasts_each; ++i) {
        auto r = h.session->push(text_frame(numbered(t, i), sb::actors::frame_class::broadcast,
                                            sb::actors::overflow_policy::drop_oldest));
        ++(r == sb::actors::push_result::queued ? queued : dropped);
      }
    });
  for (auto& t : threads)
    t.join();
  // drop_oldest makes room among the queued broadcasts; once the batch being written (which it
  // never touches) fills the bound, new ones are dropped too.
  CHECK(queued.load() + dropped.load() == pushers * broadcasts_each);

  // Replies are never dropped: unread, they close the connection at max_outbound_control_bytes.
  auto reply = [&](int i) {
    return h.session->push(text_frame(numbered(pushers, i), sb::actors::frame_class::control));
  };
  int replies = 0;
  while (replies < 100'000 && reply(replies) == sb::actors::push_result::queued)
    ++replies;
  CHECK(replies > 0);
  CHECK(replies < 100'000);

  // What was not dropped arrives in push order, every reply included, then the 1013 close.
  std::map<int, int> next_min;
  int broadcasts_seen = 0, replies_seen = 0;
  bool in_order = true;
  server_frame f = read_frame(h.client);
  for (; f.opcode == 0x1; f = read_frame(h.client)) {
    const auto [t, i] = number_of(f.payload);
    in_order = in_order && i >= next_min[t];
    next_min[t] = i + 1;
    ++(t == pushers ? replies_seen : broadcasts_seen);
  }
  CHECK(in_order);
  CHECK(replies_seen == replies); // every reply queued was written: none is ever dropped
  CHECK(broadcasts_seen <= queued.load());
  // 440 KB of broadcasts: far beyond 16 KiB plus what the kernel buffers.
  CHECK(broadcasts_seen < pushers * broadcasts_each);
  REQUIRE(f.opcode == 0x8);
  CHECK(static_cast<std::uint8_t>(f.payload[0]) * 256 + static_cast<std::uint8_t>(f.payload[1]) ==
        1013);
  CHECK(f.payload.substr(2) == "slow consumer");
  h.finish_close();
  sweeping = false;
  sweeper.join();
}

TEST_CASE("a drained notification runs once a client that stopped reading has caught up") {
  sb::net::session_options options;
  options.max_outbound_bytes = 16 * 1024;
  harness h{options, true};
  // The client reads nothing: broadcasts fill the kernel's buffers, then the queue, then drop.
  int pushed = 0;
  while (h.session->push(text_frame(numbered(0, pushed), sb::actors::frame_class::broadcast,
                                    sb::actors::overflow_policy::drop_newest)) ==
         sb::actors::push_result::queued)
    ++pushed;
  std::atomic<int> runs{0};
  h.session->notify_when_drained(7, [&] { ++runs; });
  h.session->notify_when_drained(7, [&] { runs += 10; }); // replaces the first: one per requester
  CHECK(runs.load() == 0);

  for (int i = 0; i < pushed; ++i)
    CHECK(number_of(read_frame(h.client).payload).second == i);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (runs.load() == 0 && std::chrono::steady_clock::now() < deadline)
    std::this_thread::yield();
  CHECK(runs.load() == 10);

  // Drained now: a request runs at once; one left waiting is dropped by the close.
  h.session->notify_when_drained(7, [&] { ++runs; });
  CHECK(runs.load() == 11);
  while (h.session->push(text_frame(numbered(1, 0), sb::actors::frame_class::broadcast,
                                    sb::actors::overflow_policy::drop_newest)) ==
         sb::actors::push_result::queued) {
  }
  h.session->notify_when_drained(8, [&] { runs += 100; });
  h.session->close(1000, "done");
  server_frame f = read_frame(h.client);
  while (f.opcode == 0x1)
    f = read_frame(h.client);
  CHECK(f.opcode == 0x8);
  h.finish_close();
  CHECK(runs.load() == 11);
}

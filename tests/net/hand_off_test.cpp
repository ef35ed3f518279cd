// The hand-off from an upgraded socket to its connection actor (net/hand_off.hpp), over a real
// loopback socket: the session starts reading once the connections supervisor answered with an
// actor; without an answer the client gets 1013 and the connection slot is freed.

#include "loopback_client.hpp"

#include "net/hand_off.hpp"
#include "net/session_registry.hpp"
#include "net/ws_session.hpp"
#include "supervision/api.hpp"
#include "supervision/supervisor.hpp"

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/strand.hpp>
#include <caf/all.hpp>
#include <doctest/doctest.h>

#include <chrono>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace sb = switchboard;
namespace sv = switchboard::supervision;
namespace asio = boost::asio;
using asio::ip::tcp;
using namespace std::chrono_literals;

namespace {

constexpr auto connections_name = caf::atom("t_conns");

/// What the stand-in connection actors received.
struct inbox {
  std::mutex mutex;
  std::vector<std::string> frames;
  std::size_t count() {
    std::lock_guard lock{mutex};
    return frames.size();
  }
};

caf::behavior recording_connection(caf::event_based_actor*, std::shared_ptr<inbox> in) {
  return {
    [in](const sb::actors::inbound_frame& f) {
      std::lock_guard lock{in->mutex};
      in->frames.push_back(f.bytes);
    },
    [](sb::actors::peer_closed) {},
  };
}

/// An upgraded session that is not started yet, as http_session hands it over.
struct fixture {
  // The actor system goes first at destruction: its actors may still hold the session, whose
  // socket belongs to `ioc`.
  asio::io_context ioc{1};
  asio::io_context client_ctx{1};
  tcp::socket client{client_ctx};
  sb::net::session_registry registry;
  sb::net::server_context ctx;
  asio::executor_work_guard<asio::io_context::executor_type> work{ioc.get_executor()};
  caf::actor_system_config cfg;
  std::unique_ptr<caf::actor_system> sys;
  std::shared_ptr<sb::net::ws_session> session;
  std::thread io;

  fixture() {
    cfg.set("scheduler.max-threads", 2);
    cfg.set("logger.verbosity", caf::atom("quiet"));
    sys = std::make_unique<caf::actor_system>(cfg);
    ctx.system = sys.get();
    ctx.connections_supervisor = connections_name;
    ctx.sessions = &registry;
    ctx.accept.handshake_timeout = 300ms;
    tcp::acceptor acceptor{ioc, {asio::ip::address_v4::loopback(), 0}};
    client.connect(acceptor.local_endpoint());
    tcp::socket server_side{asio::make_strand(ioc)};
    acceptor.accept(server_side);
    REQUIRE(registry.try_reserve(1));
    session = std::make_shared<sb::net::ws_session>(
      std::move(server_side), sb::protocol::serializer::v2, ctx.session, registry);
    io = std::thread{[this] { ioc.run(); }};
  }
  ~fixture() {
    work.reset();
    if (io.joinable())
      io.join();
  }

  void hand_off() {
    sb::net::hand_off(ctx, std::move(session), std::make_shared<sb::actors::socket_info>(), "");
  }

  /// Reads the server's close frame, answers it, and waits for the socket to close.
  std::pair<std::uint16_t, std::string> close_received() {
    auto frame = sb::tests::read_frame(client);
    REQUIRE(frame.opcode == 0x8);
    REQUIRE(frame.payload.size() >= 2);
    const auto code =
      static_cast<std::uint16_t>((static_cast<unsigned char>(frame.payload[0]) << 8) |
                                 static_cast<unsigned char>(frame.payload[1]));
    sb::tests::write_client_frame(client, sb::protocol::ws_opcode::close, "\x03\xe8");
    boost::system::error_code ec;
    char byte;
    asio::read(client, asio::buffer(&byte, 1), ec);
    CHECK(ec == asio::error::eof);
    return {code, frame.payload.substr(2)};
  }

  /// Whether the session finished and gave its connection slot back.
  bool slot_freed() {
    work.reset();
    io.join();
    return registry.size() == 0 && registry.try_reserve(1);
  }
};

bool eventually(const std::function<bool()>& condition) {
  const auto until = std::chrono::steady_clock::now() + 5s;
  while (!condition()) {
    if (std::chrono::steady_clock::now() > until)
      return false;
    std::this_thread::sleep_for(1ms);
  }
  return true;
}

} // namespace

TEST_CASE("the session starts reading once the connections supervisor answered with an actor") {
  fixture f;
  auto in = std::make_shared<inbox>();
  sv::child_spec connection{"connection",
                            [in](caf::actor_system& sys, const caf::message&) {
                              return sv::start_result{sys.spawn(recording_connection, in)};
                            },
                            sv::restart_type::temporary, sv::shutdown_spec::after(1000ms)};
  auto sup =
    sv::start_supervisor(*f.sys, {sv::restart_strategy::simple_one_for_one, 3, 10s}, {connection});
  REQUIRE(sup);
  f.sys->registry().put(connections_name, *sup);
  f.hand_off();
  sb::tests::write_client_frame(f.client, sb::protocol::ws_opcode::text, "hello");
  REQUIRE(eventually([&] { return in->count() == 1; }));
  CHECK(in->frames.front() == "hello");
  caf::scoped_actor self{*f.sys};
  CHECK_FALSE(sv::stop(self, *sup));
  f.client.close(); // the session sees the end of the stream and finishes
  CHECK(f.slot_freed());
}

TEST_CASE("without a connections supervisor the client gets 1013 and the slot is freed") {
  fixture f;
  f.hand_off();
  auto [code, reason] = f.close_received();
  CHECK(code == 1013);
  CHECK(reason == "server restarting");
  CHECK(f.slot_freed());
}

TEST_CASE("a connections supervisor that does not answer within handshake_timeout gets 1013") {
  fixture f;
  // The int argument: CAF 0.17 trips UBSan on actors spawned with none.
  auto mute = f.sys->spawn(
    [](caf::event_based_actor* self, int) -> caf::behavior {
      return {[self](sv::start_child_atom, const sv::start_args&) {
        return self->make_response_promise(); // never delivered
      }};
    },
    0);
  f.sys->registry().put(connections_name, mute);
  const auto began = std::chrono::steady_clock::now();
  f.hand_off();
  auto [code, reason] = f.close_received();
  CHECK(code == 1013);
  CHECK(std::chrono::steady_clock::now() - began >= 300ms);
  CHECK(f.slot_freed());
  caf::anon_send_exit(mute, caf::exit_reason::kill);
}

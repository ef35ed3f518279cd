// The server's supervision tree with real actors: a member-level crash ends one channel, a
// room-level crash ends one room (its members told, nothing restarted), and no number of room
// crashes escalates past the room: rooms are temporary children.

#include "actors/connection.hpp"
#include "actors/interfaces.hpp"
#include "actors/registry.hpp"
#include "server/tree.hpp"
#include "supervision/api.hpp"
#include "supervision/names.hpp"

#include <boost/json/object.hpp>
#include <caf/all.hpp>
#include <doctest/doctest.h>

#include <chrono>
#include <fstream>
#include <functional>
#include <mutex>
#include <regex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

namespace sb = switchboard;
using namespace std::chrono_literals;

namespace {

/// Collects the frames a connection would write, as text.
class recording_port final : public sb::actors::outbound_port {
public:
  sb::actors::push_result push(sb::actors::frame_ptr frame) override {
    std::lock_guard lock{mutex_};
    frames_.push_back(frame->bytes.substr(frame->bytes.size() < 126 ? 2 : 4));
    return sb::actors::push_result::queued;
  }
  void close(std::uint16_t, std::string_view) override {}
  void inbound_consumed(std::size_t) noexcept override {}
  sb::protocol::serializer serializer() const noexcept override {
    return sb::protocol::serializer::v2;
  }
  std::size_t count(const std::string& needle) const {
    std::lock_guard lock{mutex_};
    std::size_t n = 0;
    for (const auto& f : frames_)
      n += f.find(needle) != std::string::npos;
    return n;
  }

private:
  mutable std::mutex mutex_;
  std::vector<std::string> frames_;
};

/// "crash" throws from handle_in (a member-level crash); "crash_room" has handle_info throw (a
/// room-level crash), "stall_crash" too after blocking the room for 300 ms; "end" stops the room
/// gracefully; any other event gets an ok reply.
class crashing_channel final
    : public sb::actors::channel<sb::actors::no_member_state, std::string> {
public:
  sb::actors::join_result join(std::string_view, const sb::protocol::payload&,
                               member_type&) override {
    return sb::actors::join_result::accept();
  }
  sb::actors::in_result handle_in(std::string_view event, const sb::protocol::payload&,
                                  member_type&) override {
    if (event == "crash")
      throw std::runtime_error("crash requested");
    if (event == "end")
      send_after(1ms, "game over");
    if (event == "crash_room" || event == "stall_crash")
      send_self(std::string{event});
    return sb::actors::in_result::ok();
  }
  sb::actors::in_result handle_info(const std::string& what) override {
    if (what == "stall_crash")
      std::this_thread::sleep_for(300ms);
    if (what == "crash_room" || what == "stall_crash")
      throw std::runtime_error("room crash requested");
    return sb::actors::in_result::stop("normal");
  }
};

/// On "relay" broadcasts and pushes the event named in the payload's "event" field, as a
/// careless channel relaying a client's event name would; opts in to reserved events or not.
class relaying_channel final : public sb::actors::channel<> {
public:
  explicit relaying_channel(bool opt_in) : opt_in_(opt_in) {}
  bool sends_reserved_events() const override { return opt_in_; }
  sb::actors::join_result join(std::string_view, const sb::protocol::payload&,
                               member_type&) override {
    return sb::actors::join_result::accept();
  }
  sb::actors::in_result handle_in(std::string_view, const sb::protocol::payload& p,
                                  member_type& m) override {
    const auto event = std::string{std::get<boost::json::value>(p).at("event").as_string()};
    room().broadcast(event, boost::json::object{});
    room().broadcast_from(m, event, boost::json::object{});
    room().push(m, event, boost::json::object{});
    return sb::actors::in_result::ok();
  }

private:
  bool opt_in_;
};

bool eventually(const std::function<bool()>& condition, std::chrono::milliseconds deadline = 5s) {
  const auto until = std::chrono::steady_clock::now() + deadline;
  while (!condition()) {
    if (std::chrono::steady_clock::now() > until)
      return false;
    std::this_thread::sleep_for(1ms);
  }
  return true;
}

struct fixture {
  caf::actor_system_config cfg;
  std::unique_ptr<caf::actor_system> sys;
  sb::supervision::supervisor_actor root;
  std::shared_ptr<sb::actors::connection_context> ctx =
    std::make_shared<sb::actors::connection_context>();
  std::mutex reports_mutex;
  std::vector<sb::supervision::report> reports;

  fixture() {
    cfg.set("scheduler.max-threads", 2);
    sys = std::make_unique<caf::actor_system>(cfg);
    auto routes = std::make_shared<sb::actors::router>();
    REQUIRE(routes
              ->add("crash:*", "crashing",
                    [](std::string_view) { return std::make_unique<crashing_channel>(); })
              .empty());
    REQUIRE(routes
              ->add("relay:*", "relaying",
                    [](std::string_view) { return std::make_unique<relaying_channel>(false); })
              .empty());
    REQUIRE(routes
              ->add("optin:*", "relaying",
                    [](std::string_view) { return std::make_unique<relaying_channel>(true); })
              .empty());
    ctx->routes = routes;
    sb::server::tree_settings s;
    s.start_connection = sb::actors::connection_starter(ctx);
    s.start_listener = [](caf::actor_system& sys, const caf::message&) {
      return sb::supervision::start_result{
        sys.spawn([](caf::event_based_actor*, int) -> caf::behavior { return {[](int) {}}; }, 0)};
    };
    s.on_report = [this](const sb::supervision::report& r) {
      std::lock_guard lock{reports_mutex};
      reports.push_back(r);
    };
    s.partitions = 2;
    auto started = sb::server::start_tree(*sys, s);
    REQUIRE(started);
    root = *started;
    ctx->rooms = std::make_shared<sb::actors::registry>(*sys, 2);
  }
  ~fixture() {
    caf::scoped_actor self{*sys};
    CHECK(!sb::supervision::stop(self, root));
  }

  std::size_t reports_of(const std::string& supervisor, sb::supervision::report_context c) {
    std::lock_guard lock{reports_mutex};
    std::size_t n = 0;
    for (const auto& r : reports)
      n += r.supervisor == supervisor && r.context == c;
    return n;
  }

  struct client {
    std::shared_ptr<recording_port> port = std::make_shared<recording_port>();
    sb::actors::connection_actor connection;
  };

  client connect() {
    client c;
    c.connection =
      sb::actors::spawn_connection(*sys, c.port, std::make_shared<sb::actors::socket_info>(), ctx);
    return c;
  }
  void send(const client& c, const std::string& frame) {
    caf::anon_send(c.connection, sb::actors::inbound_frame{frame, false, false});
  }
  /// A connection joined to `topic` with join_ref and ref `join_ref`, once its join was answered.
  client joined(const std::string& topic, const std::string& join_ref) {
    auto c = connect();
    send(c, "[\"" + join_ref + "\",\"" + join_ref + "\",\"" + topic + "\",\"phx_join\",{}]");
    REQUIRE(eventually([&] { return c.port->count("phx_reply") == 1; }));
    return c;
  }
  /// Topics of the form crash:<n> living in partition `p`.
  std::string topic_in_partition(std::size_t p, int skip = 0) {
    for (int n = 0;; ++n) {
      auto topic = "crash:" + std::to_string(n);
      if (std::hash<std::string_view>{}(topic) % 2 == p && skip-- == 0)
        return topic;
    }
  }
};

} // namespace

TEST_CASE("a member-level crash ends that channel only, and the connection forgets the topic") {
  fixture f;
  auto topic = f.topic_in_partition(0);
  auto a = f.joined(topic, "1");
  auto b = f.joined(topic, "2");

  f.send(a, R"(["1","3",")" + topic + R"(","crash",{}])");
  CHECK(eventually([&] {
    return a.port->count(R"(["1","1",")" + topic +
                         R"(","phx_error",{"reason":"channel_crash"}])") == 1;
  }));
  // A later message on the topic gets the not-joined answer; b's channel and the room go on.
  f.send(a, R"(["1","4",")" + topic + R"(","ping",{}])");
  CHECK(eventually([&] { return a.port->count(R"([null,"4",")" + topic) == 1; }));
  CHECK(a.port->count("unmatched topic") == 1);
  f.send(b, R"(["2","5",")" + topic + R"(","ping",{}])");
  CHECK(eventually([&] { return b.port->count(R"(["2","5",")") == 1; }));
  CHECK(b.port->count("phx_error") == 0);
  CHECK(f.reports_of("rooms_0", sb::supervision::report_context::child_terminated) == 0);

  // phoenix.js rejoins after phx_error: the running room admits it again.
  f.send(a, R"(["6","6",")" + topic + R"(","phx_join",{}])");
  CHECK(eventually([&] { return a.port->count(R"(["6","6",")") == 1; }));
  f.send(a, R"(["6","7",")" + topic + R"(","ping",{}])");
  CHECK(eventually([&] { return a.port->count(R"(["6","7",")") == 1; }));
}

TEST_CASE(
  "a room-level crash errors each member for that topic, and the next join starts a fresh room") {
  fixture f;
  auto topic = f.topic_in_partition(0);
  auto a = f.joined(topic, "1");
  auto b = f.joined(topic, "1");

  f.send(a, R"(["1","2",")" + topic + R"(","crash_room",{}])");
  auto error_frame = R"(["1","1",")" + topic + R"(","phx_error",{"reason":"channel_crash"}])";
  CHECK(
    eventually([&] { return a.port->count(error_frame) == 1 && b.port->count(error_frame) == 1; }));
  // Rooms are temporary: the crash is reported, nothing is restarted.
  CHECK(eventually([&] {
    return f.reports_of("rooms_0", sb::supervision::report_context::child_terminated) == 1;
  }));

  // phoenix.js rejoins by itself; the registry starts a fresh room for the rejoin.
  f.send(a, R"(["3","3",")" + topic + R"(","phx_join",{}])");
  CHECK(eventually([&] { return a.port->count(R"(["3","3",")") == 1; }));
  f.send(a, R"(["3","4",")" + topic + R"(","ping",{}])");
  CHECK(eventually([&] { return a.port->count(R"(["3","4",")") == 1; }));
  CHECK(f.reports_of("rooms_0", sb::supervision::report_context::reached_max_restart_intensity) ==
        0);
}

TEST_CASE("a burst of room crashes never escalates: rooms are temporary children") {
  fixture f;
  auto looping = f.topic_in_partition(0);
  auto bystander_same_partition = f.topic_in_partition(0, 1);
  auto a = f.connect();
  auto same = f.joined(bystander_same_partition, "1");

  // rooms_0 allows 10 restarts per second; 30 crashes of one topic's room within well under a
  // second would have made it give up, taking the partition with it, were rooms restarted.
  constexpr int crashes = 30;
  for (int i = 1; i <= crashes; ++i) {
    auto ref = std::to_string(100 + i);
    f.send(a, "[\"" + ref + "\",\"" + ref + "\",\"" + looping + "\",\"phx_join\",{}]");
    REQUIRE(eventually([&] { return a.port->count("[\"" + ref + "\",\"" + ref + "\",") == 1; }));
    f.send(a, "[\"" + ref + "\",\"x\",\"" + looping + "\",\"crash_room\",{}]");
    REQUIRE(eventually([&] { return a.port->count("phx_error") == static_cast<std::size_t>(i); }));
  }
  CHECK(eventually([&] {
    return f.reports_of("rooms_0", sb::supervision::report_context::child_terminated) == crashes;
  }));
  for (const auto* sup : {"rooms_0", "partition_0", "partitions", "switchboard"})
    CHECK(f.reports_of(sup, sb::supervision::report_context::reached_max_restart_intensity) == 0);
  for (const auto* sup : {"partition_0", "partitions", "switchboard"})
    CHECK(f.reports_of(sup, sb::supervision::report_context::child_terminated) == 0);

  // The bystander in the same partition saw nothing and is still served.
  f.send(same, R"(["1","2",")" + bystander_same_partition + R"(","ping",{}])");
  CHECK(eventually([&] { return same.port->count(R"(["1","2",")") == 1; }));
  CHECK(same.port->count("phx_error") == 0);
}

TEST_CASE("a join racing a room crash is answered, and a retry finds a fresh room") {
  fixture f;
  auto topic = f.topic_in_partition(1);
  auto a = f.joined(topic, "1");
  auto b = f.connect();
  // The room blocks for 300 ms, then crashes: b's join reaches it meanwhile and dies with it.
  f.send(a, R"(["1","2",")" + topic + R"(","stall_crash",{}])");
  REQUIRE(eventually([&] { return a.port->count(R"(["1","2",")") == 1; }));
  f.send(b, R"(["5","5",")" + topic + R"(","phx_join",{}])");
  REQUIRE(eventually([&] { return b.port->count(R"(["5","5",")") == 1; }));
  CHECK(eventually([&] { return a.port->count("phx_error") == 1; }));
  const bool admitted = b.port->count(R"("status":"ok")") == 1;
  CHECK((admitted || b.port->count("join crashed") == 1));
  if (!admitted) { // phoenix.js retries a failed join
    f.send(b, R"(["6","6",")" + topic + R"(","phx_join",{}])");
    CHECK(eventually([&] {
      return b.port->count(R"(["6","6",")" + topic + R"(","phx_reply",{"status":"ok")") == 1;
    }));
  }
}

TEST_CASE("a graceful stop from handle_info closes every member's channel with phx_close") {
  fixture f;
  auto topic = f.topic_in_partition(1);
  auto a = f.joined(topic, "1");
  auto b = f.joined(topic, "2");
  f.send(a, R"(["1","3",")" + topic + R"(","end",{}])");
  CHECK(eventually([&] {
    return a.port->count(R"(["1","1",")" + topic + R"(","phx_close",{}])") == 1 &&
           b.port->count(R"(["2","2",")" + topic + R"(","phx_close",{}])") == 1;
  }));
  CHECK(a.port->count("phx_error") == 0);
  // The channel is closed on the connection too: a push now is an unmatched topic.
  f.send(b, R"(["2","4",")" + topic + R"(","ping",{}])");
  CHECK(eventually([&] { return b.port->count("unmatched topic") == 1; }));
}

TEST_CASE("a channel cannot broadcast or push reserved phx_ events unless it opts in") {
  fixture f;
  for (const std::string prefix : {"relay", "optin"}) {
    CAPTURE(prefix);
    const auto topic = prefix + ":x";
    auto a = f.joined(topic, "1");
    auto b = f.joined(topic, "2");
    // Events the connection would refuse from a client reach the channel through its payload.
    f.send(a, R"(["1","3",")" + topic + R"(","relay",{"event":"phx_close"}])");
    f.send(a, R"(["1","4",")" + topic + R"(","relay",{"event":"ordinary"}])");
    REQUIRE(eventually([&] { return a.port->count(R"(["1","4",")") == 1; }));
    // The ordinary event went out by all three helpers; the reserved one only with the opt-in.
    CHECK(a.port->count(R"(","ordinary",{}])") == 2); // broadcast + push (broadcast_from skips a)
    CHECK(eventually([&] { return b.port->count(R"(","ordinary",{}])") == 2; }));
    const std::size_t reserved = prefix == "optin" ? 2 : 0;
    CHECK(a.port->count(R"(","phx_close",{}])") == reserved);
    CHECK(b.port->count(R"(","phx_close",{}])") == reserved);
  }
}

TEST_CASE("describe_tree reads strategies, intensities and child specs from the live tree") {
  fixture f;
  caf::scoped_actor self{*f.sys};
  auto text = sb::server::describe_tree(self, f.root);
  CHECK(text.find("switchboard  (rest_for_one, intensity 3/60s)") != std::string::npos);
  CHECK(text.find("partition_1  (one_for_all, intensity 3/10s)") != std::string::npos);
  CHECK(text.find("shard_0  (worker, permanent, shutdown 5000ms)") != std::string::npos);
  CHECK(text.find("rooms_0  (simple_one_for_one") != std::string::npos);
  CHECK(text.find("listener") != std::string::npos);
}

namespace {

/// The first fenced block after `heading` in a docs page, each line with its trailing
/// annotation (text set off by two or more spaces after the last ")") removed.
std::string docs_tree(const std::string& page, const std::string& heading) {
  std::ifstream in{std::string{SWITCHBOARD_SOURCE_DIR} + "/docs/" + page};
  REQUIRE(in);
  std::string line;
  while (std::getline(in, line) && line != heading) {
  }
  while (std::getline(in, line) && line.rfind("```", 0) != 0) {
  }
  std::string out;
  const std::regex annotation{R"(\)\s{2,}[^()]*$)"};
  while (std::getline(in, line) && line.rfind("```", 0) != 0)
    out += std::regex_replace(line, annotation, ")") + "\n";
  return out;
}

} // namespace

TEST_CASE(
  "the tree docs/supervision.md pictures is the live tree, one connection and one room open") {
  fixture f;
  caf::scoped_actor self{*f.sys};
  auto connections = sb::supervision::whereis<sb::supervision::supervisor_actor>(
    *f.sys, sb::server::connections_name);
  auto port = std::make_shared<recording_port>();
  auto conn = sb::supervision::start_child(
    self, connections,
    caf::make_message(sb::actors::port_ptr{port}, std::shared_ptr<const sb::actors::socket_info>{
                                                    std::make_shared<sb::actors::socket_info>()}));
  REQUIRE(conn);
  caf::anon_send(*conn, sb::actors::inbound_frame{R"(["1","1",")" + f.topic_in_partition(0) +
                                                  R"(","phx_join",{}])"});
  REQUIRE(eventually([&] { return port->count("phx_reply") == 1; }));
  CHECK(sb::server::describe_tree(self, f.root) ==
        docs_tree("supervision.md", "## The server's tree"));
}

TEST_CASE(
  "a restarted partition is found by name: joins reach the new shard without anyone being told") {
  fixture f;
  const auto shard_name = sb::actors::shard_name(0);
  auto old_shard = sb::supervision::whereis(*f.sys, shard_name);
  REQUIRE(old_shard);
  caf::anon_send_exit(old_shard,
                      caf::exit_reason::kill); // partition_0 restarts rooms_0 and shard_0
  REQUIRE(eventually([&] {
    auto now = sb::supervision::whereis(*f.sys, shard_name);
    return now && now != old_shard;
  }));
  auto c = f.joined(f.topic_in_partition(0), "1");
  CHECK(c.port->count(R"("phx_reply",{"status":"ok")") == 1);
  CHECK(f.reports_of("partition_0", sb::supervision::report_context::child_terminated) == 1);
}

// The room actor driven one message at a time (CAF's test coordinator): a crash in a callback run
// for one member ends that member's channel only; a crash in a room-level callback ends the room.

#include "actor_test_support.hpp"
#include "actors/interfaces.hpp"
#include "actors/metrics.hpp"
#include "actors/room.hpp"
#include "actors/router.hpp"

#include <boost/json.hpp>
#include <caf/all.hpp>
#include <caf/scheduler/test_coordinator.hpp>
#include <doctest/doctest.h>

#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

namespace {

namespace sb = switchboard;
namespace json = boost::json;
using namespace sb::actors;
using namespace std::chrono_literals;

using sb::tests::frames;
using sb::tests::recording_port;

struct scripted_member {
  bool crash_after_join = false;
  bool crash_out = false;
  bool crash_leave = false;
  bool skip_out = false;    ///< handle_out skips this member
  bool rewrite_out = false; ///< handle_out pushes {"rewritten": true} instead
  bool crash_drained = false;
};

/// Every leave, as "<connection id>:<reason>", in order.
using leave_log = std::vector<std::string>;

/// A channel that fails where the test asks it to. Join payload flags (crash_after_join,
/// crash_out, crash_leave) choose a member's failures; events: "crash" throws, "fail" stops
/// abnormally after an ok reply, "shout" broadcasts, "out" broadcasts the intercepted event
/// "out" (handle_out throws for crash_out members) and then replies ok, "self_out" and
/// "timer_out" reply ok and have handle_info broadcast "out" (send_self, send_after 10 ms); infos
/// (strings): "crash" throws, "out" broadcasts "out". "await_drain" asks for handle_drained,
/// which pushes "drained" (or throws for crash_drained members).
class scripted_channel final : public channel<scripted_member, std::string> {
public:
  explicit scripted_channel(std::shared_ptr<leave_log> leaves) : leaves_(std::move(leaves)) {}

  bool intercepts(std::string_view event) const override { return event == "out"; }

  join_result join(std::string_view, const sb::protocol::payload& p, member_type& m) override {
    const auto& flags = std::get<json::value>(p).as_object();
    auto flag = [&](const char* key) {
      const auto* v = flags.if_contains(key);
      return v && v->is_bool() && v->get_bool();
    };
    m.state = {flag("crash_after_join"), flag("crash_out"),   flag("crash_leave"),
               flag("skip_out"),         flag("rewrite_out"), flag("crash_drained")};
    if (flag("need_name")) // a join whose payload lacks "name" is refused, not crashed
      return join_result::accept(json::object{{"name", required<std::string>(p, "name")}});
    return join_result::accept();
  }
  void after_join(member_type& m) override {
    if (m.state.crash_after_join)
      throw std::runtime_error("after_join failed");
  }
  in_result handle_in(std::string_view event, const sb::protocol::payload& p,
                      member_type& m) override {
    if (event == "crash")
      throw std::runtime_error("handle_in failed");
    if (event == "fail")
      return in_result::stop("failed", reply_payload{"ok", json::object{{"bye", 1}}});
    if (event == "shout" || event == "out")
      room().broadcast(event, p);
    if (event == "later") { // answered by a later "answer" from anyone
      later_ = room().current_ref();
      return in_result::noreply();
    }
    if (event == "answer")
      room().reply(later_, "ok", json::object{{"late", true}});
    if (event == "push") { // pushes {"event"} to the sender, replies with what push reported
      auto what = room().push(m, required<std::string>(p, "event"), json::object{});
      const char* names[] = {"queued", "dropped", "closed"};
      return in_result::ok(json::object{{"result", names[static_cast<int>(what)]}});
    }
    if (event == "self_out")
      send_self("out");
    if (event == "timer_out")
      send_after(10ms, "out");
    if (event == "await_drain")
      room().notify_when_drained(m);
    if (event == "need_body")
      return in_result::ok(json::object{{"body", required<std::string>(p, "body")}});
    return in_result::ok();
  }
  out_result handle_out(std::string_view, const sb::protocol::payload& p, member_type& m) override {
    if (m.state.crash_out)
      throw std::runtime_error("handle_out failed");
    if (m.state.skip_out)
      return out_result::skip();
    if (m.state.rewrite_out)
      return out_result::push_payload(json::object{{"rewritten", true}});
    return out_result::push_payload(p);
  }
  void leave(member_type& m, leave_reason why) override {
    leaves_->push_back(std::to_string(m.id()) + ":" + to_string(why));
    if (m.state.crash_leave)
      throw std::runtime_error("leave failed");
  }
  void handle_drained(member_type& m) override {
    if (m.state.crash_drained)
      throw std::runtime_error("handle_drained failed");
    room().push(m, "drained", json::object{});
  }
  in_result handle_info(const std::string& info) override {
    if (info == "crash")
      throw std::runtime_error("handle_info failed");
    if (info == "out")
      room().broadcast("out", json::object{{"from", "info"}});
    return in_result::noreply();
  }

private:
  std::shared_ptr<leave_log> leaves_;
  reply_ref later_;
};

/// What a stand-in connection saw: its join outcomes and the closed notices from the room.
struct connection_log {
  std::vector<join_outcome> outcomes;
  std::vector<std::string> closed; ///< join_refs of the channel_closed notices
};

/// Stands in for a connection actor: relays joins, publishes and leaves to the room so that the
/// room sees this actor as the sender, and records what comes back.
caf::behavior stand_in_connection(caf::event_based_actor* self, room_actor room,
                                  std::shared_ptr<connection_log> log) {
  return {
    [=](join_request& req) {
      self->request(room, caf::infinite, std::move(req)).then([log](const join_answer& answer) {
        log->outcomes.push_back(answer.outcome);
      });
    },
    [=](client_event& in) { self->send(room, std::move(in)); },
    [=](leave_request& leave) { self->send(room, std::move(leave)); },
    [=](const channel_closed& closed) { log->closed.emplace_back(closed.join_ref.as_string()); },
  };
}

/// Stands in for the registry shard: counts idle notices.
caf::behavior stand_in_shard(caf::event_based_actor*, std::shared_ptr<int> idle_notices) {
  return {
    [](const room_started&) {},
    [=](const room_idle&) { ++*idle_notices; },
  };
}

const std::string topic = "scripted:1";

struct fixture {
  caf::actor_system_config cfg;
  std::unique_ptr<caf::actor_system> sys;
  caf::scheduler::test_coordinator* sched = nullptr;
  std::shared_ptr<leave_log> leaves = std::make_shared<leave_log>();
  std::shared_ptr<int> idle_notices = std::make_shared<int>(0);
  caf::actor shard;
  room_actor room;
  std::shared_ptr<caf::error> room_exit; ///< set once the room exited
  std::vector<caf::actor> actors;        ///< killed at the end (members and room hold each other)
  std::uint64_t channel_crashes_before = metrics::global().channel_crashes_total.load();
  std::uint64_t room_crashes_before = metrics::global().room_crashes_total.load();

  struct client {
    std::shared_ptr<recording_port> port = std::make_shared<recording_port>();
    std::shared_ptr<connection_log> log = std::make_shared<connection_log>();
    caf::actor connection;
    std::string join_ref;
  };

  fixture() {
    cfg.set("scheduler.policy", caf::atom("testing"));
    sys = std::make_unique<caf::actor_system>(cfg);
    sched = &dynamic_cast<caf::scheduler::test_coordinator&>(sys->scheduler());
    shard = sys->spawn(stand_in_shard, idle_notices);
    router routes;
    REQUIRE(routes
              .add("scripted:*", "scripted",
                   [leaves = leaves](std::string_view) {
                     return std::make_unique<scripted_channel>(leaves);
                   })
              .empty());
    room = spawn_room(*sys, topic, routes.match(topic),
                      caf::actor_cast<registry_shard_actor>(shard), room_limits{});
    room_exit = std::make_shared<caf::error>();
    auto exited = room_exit;
    room->attach_functor([exited](const caf::error& reason) {
      *exited = reason ? reason : caf::make_error(caf::exit_reason::normal);
    });
    actors = {shard, caf::actor_cast<caf::actor>(room)};
    sched->run();
  }
  ~fixture() {
    for (auto& a : actors)
      caf::anon_send_exit(a, caf::exit_reason::kill);
    sched->run();
  }

  [[nodiscard]] bool room_alive() const { return !*room_exit; }
  [[nodiscard]] std::uint64_t channel_crashes() const {
    return metrics::global().channel_crashes_total.load() - channel_crashes_before;
  }
  [[nodiscard]] std::uint64_t room_crashes() const {
    return metrics::global().room_crashes_total.load() - room_crashes_before;
  }

  client join(const std::string& join_ref, json::object flags = {}) {
    client c;
    c.connection = sys->spawn(stand_in_connection, room, c.log);
    c.join_ref = join_ref;
    actors.push_back(c.connection);
    rejoin(c, join_ref, std::move(flags));
    return c;
  }
  void rejoin(client& c, const std::string& join_ref, json::object flags = {}) {
    c.join_ref = join_ref;
    sb::protocol::message msg{json::value(join_ref), json::value(join_ref), topic, "phx_join",
                              json::value(std::move(flags))};
    join_request req{caf::actor_cast<connection_actor>(c.connection),
                     c.port,
                     std::make_shared<socket_info>(),
                     nullptr,
                     std::move(msg),
                     std::chrono::steady_clock::now() + 1h};
    caf::anon_send(c.connection, std::move(req));
    sched->run();
  }
  void publish(const client& c, const std::string& ref, const std::string& event,
               json::object payload = {}) {
    caf::anon_send(c.connection, client_event{sb::protocol::message{
                                   json::value(c.join_ref), json::value(ref), topic, event,
                                   json::value(std::move(payload))}});
    sched->run();
  }
  void leave(const client& c, const std::string& ref) {
    caf::anon_send(c.connection,
                   leave_request{sb::protocol::message{json::value(c.join_ref), json::value(ref),
                                                       topic, "phx_leave", json::object{}}});
    sched->run();
  }
  void info(const std::string& what) { send_info(make_info_message(what)); }
  void send_info(caf::message msg) {
    caf::anon_send(room, info_message{std::move(msg)});
    sched->run();
  }
  std::string left(const client& c, const char* why) const {
    return std::to_string(c.connection.id()) + ":" + why;
  }
};

std::string error_frame(const std::string& join_ref) {
  return R"([")" + join_ref + R"(",")" + join_ref + R"(",")" + topic +
         R"(","phx_error",{"reason":"channel_crash"}])";
}
std::string ok_reply(const std::string& join_ref, const std::string& ref,
                     const std::string& response = "{}") {
  return R"([")" + join_ref + R"(",")" + ref + R"(",")" + topic +
         R"(","phx_reply",{"status":"ok","response":)" + response + "}]";
}
std::string broadcast(const std::string& event, const std::string& payload) {
  return R"([null,null,")" + topic + R"(",")" + event + R"(",)" + payload + "]";
}
std::string push(const std::string& join_ref, const std::string& event,
                 const std::string& payload) {
  return R"([")" + join_ref + R"(",null,")" + topic + R"(",")" + event + R"(",)" + payload + "]";
}

} // namespace

TEST_CASE(
  "a handle_in that throws ends the sender's channel only, and the room and the others go on") {
  fixture f;
  auto a = f.join("1");
  auto b = f.join("2");
  CHECK(a.port->take() == frames{ok_reply("1", "1")});
  CHECK(b.port->take() == frames{ok_reply("2", "2")});

  f.publish(a, "3", "crash");
  CHECK(a.port->take() == frames{error_frame("1")});
  CHECK(a.log->closed == std::vector<std::string>{"1"}); // its connection forgets the topic
  CHECK(*f.leaves == leave_log{f.left(a, "crashed")});
  CHECK(b.port->take().empty());
  CHECK(f.room_alive());
  CHECK(f.channel_crashes() == 1);
  CHECK(f.room_crashes() == 0);

  // The other member is still served; the crashed one is no longer a member.
  f.publish(b, "4", "shout", {{"n", 1}});
  CHECK(b.port->take() == frames{broadcast("shout", R"({"n":1})"), ok_reply("2", "4")});
  CHECK(a.port->take().empty());
  f.publish(a, "5", "shout", {{"n", 2}}); // raced the connection's forgetting: dropped
  CHECK(a.port->take().empty());
  CHECK(b.port->take().empty());

  // phoenix.js rejoins after phx_error: the same room admits it again.
  f.rejoin(a, "6");
  CHECK(a.log->outcomes ==
        std::vector<join_outcome>{join_outcome::admitted, join_outcome::admitted});
  CHECK(a.port->take() == frames{ok_reply("6", "6")});
  f.publish(b, "7", "shout", {{"n", 3}});
  CHECK(a.port->take() == frames{broadcast("shout", R"({"n":3})")});
  CHECK(*f.idle_notices == 0);
}

TEST_CASE("an abnormal stop from handle_in sends its reply, then ends that member's channel") {
  fixture f;
  auto a = f.join("1");
  auto b = f.join("2");
  a.port->take();
  b.port->take();
  f.publish(a, "3", "fail");
  CHECK(a.port->take() == frames{ok_reply("1", "3", R"({"bye":1})"), error_frame("1")});
  CHECK(*f.leaves == leave_log{f.left(a, "crashed")});
  CHECK(b.port->take().empty());
  CHECK(f.room_alive());
  CHECK(f.channel_crashes() == 1);
}

TEST_CASE("a handle_out that throws for one member still delivers the broadcast to the others") {
  fixture f;
  auto a = f.join("1");
  auto b = f.join("2", {{"crash_out", true}});
  auto c = f.join("3");
  for (auto* x : {&a, &b, &c})
    x->port->take();

  f.publish(c, "4", "out", {{"n", 1}});
  CHECK(a.port->take() == frames{push("1", "out", R"({"n":1})")});
  CHECK(b.port->take() == frames{error_frame("2")});
  CHECK(c.port->take() == frames{push("3", "out", R"({"n":1})"), ok_reply("3", "4")});
  CHECK(b.log->closed == std::vector<std::string>{"2"});
  CHECK(*f.leaves == leave_log{f.left(b, "crashed")});

  f.publish(a, "5", "out", {{"n", 2}});
  CHECK(a.port->take() == frames{push("1", "out", R"({"n":2})"), ok_reply("1", "5")});
  CHECK(b.port->take().empty());
  CHECK(c.port->take() == frames{push("3", "out", R"({"n":2})")});
  CHECK(f.room_alive());
  CHECK(f.channel_crashes() == 1);
}

TEST_CASE("a sender whose own handle_out throws inside its handle_in leaves once, after the call") {
  fixture f;
  auto a = f.join("1", {{"crash_out", true}});
  auto b = f.join("2");
  a.port->take();
  b.port->take();
  // The broadcast runs inside a's handle_in; a's handle_out throws there. a stays valid until
  // handle_in returned, gets no reply after its phx_error, and leaves exactly once.
  f.publish(a, "3", "out", {{"n", 1}});
  CHECK(a.port->take() == frames{error_frame("1")});
  CHECK(b.port->take() == frames{push("2", "out", R"({"n":1})")});
  CHECK(*f.leaves == leave_log{f.left(a, "crashed")});
  CHECK(f.channel_crashes() == 1);
  CHECK(f.room_alive());
}

TEST_CASE("a handle_out that throws during a broadcast from handle_info ends that member only") {
  fixture f;
  auto a = f.join("1", {{"crash_out", true}});
  auto b = f.join("2");
  a.port->take();
  b.port->take();
  f.info("out");
  CHECK(a.port->take() == frames{error_frame("1")});
  CHECK(b.port->take() == frames{push("2", "out", R"({"from":"info"})")});
  CHECK(*f.leaves == leave_log{f.left(a, "crashed")});
  CHECK(f.room_alive());
  CHECK(f.room_crashes() == 0);
}

TEST_CASE(
  "an after_join that throws: the join reply, then phx_error, and the join counts as refused") {
  fixture f;
  auto a = f.join("1");
  auto b = f.join("2", {{"crash_after_join", true}});
  CHECK(b.port->take() == frames{ok_reply("2", "2"), error_frame("2")});
  CHECK(b.log->outcomes == std::vector<join_outcome>{join_outcome::refused});
  CHECK(*f.leaves == leave_log{f.left(b, "crashed")});
  f.publish(a, "3", "shout", {{"n", 1}});
  CHECK(a.port->take() ==
        frames{ok_reply("1", "1"), broadcast("shout", R"({"n":1})"), ok_reply("1", "3")});
  CHECK(b.port->take().empty());
  CHECK(f.room_alive());
  CHECK(f.channel_crashes() == 1);
}

TEST_CASE("a leave that throws is logged and the member is removed anyway") {
  fixture f;
  auto a = f.join("1", {{"crash_leave", true}});
  auto b = f.join("2");
  auto c = f.join("3", {{"crash_leave", true}});
  for (auto* x : {&a, &b, &c})
    x->port->take();

  f.leave(a, "4"); // a graceful leave whose callback throws
  CHECK(a.port->take() ==
        frames{ok_reply("1", "4"), R"(["1","1",")" + topic + R"(","phx_close",{}])"});
  f.publish(c, "5", "crash"); // a crash whose leave throws too: counted once
  CHECK(c.port->take() == frames{error_frame("3")});
  CHECK(*f.leaves == leave_log{f.left(a, "left"), f.left(c, "crashed")});
  CHECK(f.channel_crashes() == 2);

  f.publish(b, "6", "shout", {{"n", 1}});
  CHECK(b.port->take() == frames{broadcast("shout", R"({"n":1})"), ok_reply("2", "6")});
  CHECK(a.port->take().empty());
  CHECK(c.port->take().empty());
  CHECK(f.room_alive());
}

TEST_CASE("a room whose last member crashed tells the registry it is idle") {
  fixture f;
  auto a = f.join("1");
  f.publish(a, "2", "crash");
  CHECK(*f.idle_notices == 1);
  CHECK(f.room_alive());
}

TEST_CASE("a handle_info that throws crashes the room itself") {
  fixture f;
  auto a = f.join("1");
  auto b = f.join("2");
  f.info("crash");
  CHECK_FALSE(f.room_alive());
  CHECK(*f.room_exit != caf::exit_reason::normal);
  CHECK(f.room_crashes() == 1);
  CHECK(f.channel_crashes() == 0);
  // The members' connections learn it from the room's down message (not modelled here); the
  // room wrote nothing to them and ran no leave.
  CHECK(a.port->take() == frames{ok_reply("1", "1")});
  CHECK(f.leaves->empty());
}

TEST_CASE("an info message of another type than the channel's Info is ignored, not a crash") {
  fixture f;
  auto a = f.join("1");
  a.port->take();
  f.send_info(caf::make_message(std::string{"crash"})); // the right value, not in an envelope
  f.send_info(make_info_message(42));
  f.send_info(make_info_message(std::string{"out"}));
  CHECK(f.room_alive());
  CHECK(a.port->take() == frames{push("1", "out", R"({"from":"info"})")});
}

TEST_CASE("send_self reaches handle_info after the callback that sent it") {
  fixture f;
  auto a = f.join("1");
  a.port->take();
  f.publish(a, "2", "self_out");
  CHECK(a.port->take() == frames{ok_reply("1", "2"), push("1", "out", R"({"from":"info"})")});
}

TEST_CASE("send_after reaches handle_info once its delay passed") {
  fixture f;
  auto a = f.join("1");
  a.port->take();
  f.publish(a, "2", "timer_out");
  CHECK(a.port->take() == frames{ok_reply("1", "2")});
  CHECK(f.sched->trigger_timeout()); // the earliest: ours, before the room's idle check
  f.sched->run();
  CHECK(a.port->take() == frames{push("1", "out", R"({"from":"info"})")});
}

TEST_CASE("intercepted broadcasts go through handle_out per member: pushed, rewritten or skipped") {
  fixture f;
  auto plain = f.join("1");
  auto rewrite = f.join("2", {{"rewrite_out", true}});
  auto skip = f.join("3", {{"skip_out", true}});
  for (auto* c : {&plain, &rewrite, &skip})
    c->port->take();
  f.publish(plain, "4", "out", {{"n", 1}});
  // handle_out pushes to each member with its own join_ref, not one shared broadcast frame.
  CHECK(plain.port->take() == frames{push("1", "out", R"({"n":1})"), ok_reply("1", "4")});
  CHECK(rewrite.port->take() == frames{push("2", "out", R"({"rewritten":true})")});
  CHECK(skip.port->take().empty());
  f.publish(plain, "5", "shout", {{"n", 2}}); // not intercepted: one frame for everyone
  CHECK(skip.port->take() == frames{broadcast("shout", R"({"n":2})")});
}

TEST_CASE("current_ref lets a later callback reply to a message that returned noreply") {
  fixture f;
  auto a = f.join("1");
  auto b = f.join("2");
  a.port->take();
  b.port->take();
  f.publish(a, "7", "later");
  CHECK(a.port->take().empty()); // noreply: nothing yet
  f.publish(b, "8", "answer");   // b's message makes the room answer a's
  CHECK(a.port->take() == frames{ok_reply("1", "7", R"({"late":true})")});
  CHECK(b.port->take() == frames{ok_reply("2", "8")});
  // A reply to a member that left (or rejoined) meanwhile is dropped.
  f.publish(a, "9", "later");
  f.leave(a, "10");
  a.port->take();
  f.publish(b, "11", "answer");
  CHECK(a.port->take().empty());
}

TEST_CASE("a payload refused by required() gets an error reply or a refused join, not a crash") {
  fixture f;
  auto a = f.join("1");
  a.port->take();
  f.publish(a, "2", "need_body", {{"body", 5}});
  f.publish(a, "3", "need_body");
  f.publish(a, "4", "need_body", {{"body", "hi"}});
  CHECK(
    a.port->take() ==
    frames{R"(["1","2",")" + topic +
             R"(","phx_reply",{"status":"error","response":{"reason":"body must be a string"}}])",
           R"(["1","3",")" + topic +
             R"(","phx_reply",{"status":"error","response":{"reason":"body required"}}])",
           ok_reply("1", "4", R"({"body":"hi"})")});
  auto b = f.join("5", {{"need_name", true}});
  CHECK(b.port->take() ==
        frames{R"(["5","5",")" + topic +
               R"(","phx_reply",{"status":"error","response":{"reason":"name required"}}])"});
  CHECK(f.channel_crashes() == 0);
  CHECK(f.room_alive());
}

TEST_CASE("push reports queued, dropped (a reserved event) or closed (the connection is closing)") {
  fixture f;
  auto a = f.join("1");
  a.port->take();
  f.publish(a, "2", "push", {{"event", "note"}});
  CHECK(a.port->take() ==
        frames{push("1", "note", "{}"), ok_reply("1", "2", R"({"result":"queued"})")});
  f.publish(a, "3", "push", {{"event", "phx_close"}});
  CHECK(a.port->take() == frames{ok_reply("1", "3", R"({"result":"dropped"})")});
  a.port->answer = push_result::closed;
  f.publish(a, "4", "push", {{"event", "note"}});
  CHECK(a.port->take().back() == ok_reply("1", "4", R"({"result":"closed"})"));
}

TEST_CASE(
  "a broadcast dropped for a slow member runs handle_drained for it once its queue drained") {
  fixture f;
  auto a = f.join("1");
  auto b = f.join("2");
  a.port->take();
  b.port->take();
  b.port->answer = push_result::dropped; // its overflow policy drops broadcasts
  b.port->drained = false;
  f.publish(a, "3", "shout", {{"n", 1}});
  f.publish(a, "4", "shout", {{"n", 2}});
  CHECK(b.port->drain_requests == 1); // asked once, however many drops
  CHECK(a.port->drain_requests == 0);
  b.port->take();
  b.port->answer = push_result::queued;
  b.port->drain();
  f.sched->run();
  CHECK(b.port->take() == frames{push("2", "drained", "{}")});
  CHECK(a.port->take() == frames{broadcast("shout", R"({"n":1})"), ok_reply("1", "3"),
                                 broadcast("shout", R"({"n":2})"), ok_reply("1", "4")});
  // Drained once: the next drop asks again.
  b.port->answer = push_result::dropped;
  b.port->drained = false;
  f.publish(a, "5", "shout", {{"n", 3}});
  CHECK(b.port->drain_requests == 2);
  CHECK(b.port->waiting.size() == 1);
}

TEST_CASE("notify_when_drained on a drained connection runs handle_drained after the callback") {
  fixture f;
  auto a = f.join("1");
  a.port->take();
  f.publish(a, "2", "await_drain");
  CHECK(a.port->take() == frames{ok_reply("1", "2"), push("1", "drained", "{}")});
}

TEST_CASE("a drained notice for a member that left, or rejoined since, is ignored") {
  fixture f;
  auto a = f.join("1");
  auto b = f.join("2");
  b.port->drained = false;
  f.publish(b, "3", "await_drain");
  REQUIRE(b.port->waiting.size() == 1);
  auto stale = b.port->waiting.begin()->second;
  f.leave(b, "4");
  CHECK(b.port->waiting.empty()); // the room took its request back
  f.rejoin(b, "5");
  b.port->take();
  stale(); // a notice already on its way when b left
  f.sched->run();
  CHECK(b.port->take().empty());
  CHECK(f.room_alive());
  // The rejoined member's own request is answered.
  f.publish(b, "6", "await_drain");
  b.port->drain();
  f.sched->run();
  CHECK(b.port->take() == frames{ok_reply("5", "6"), push("5", "drained", "{}")});
}

TEST_CASE("a handle_drained that throws ends that member's channel only") {
  fixture f;
  auto a = f.join("1", {{"crash_drained", true}});
  auto b = f.join("2");
  a.port->take();
  b.port->take();
  f.publish(a, "3", "await_drain");
  CHECK(a.port->take() == frames{ok_reply("1", "3"), error_frame("1")});
  CHECK(*f.leaves == leave_log{f.left(a, "crashed")});
  CHECK(f.channel_crashes() == 1);
  CHECK(f.room_alive());
  f.publish(b, "4", "shout", {{"n", 1}});
  CHECK(b.port->take() == frames{broadcast("shout", R"({"n":1})"), ok_reply("2", "4")});
}

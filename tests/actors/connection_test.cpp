// The connection actor driven one message at a time (CAF's test coordinator): the per-message
// rules of docs/protocol.md §2.2 as the connection applies them, its closes, and what it does
// when a room ends a channel. The registry shard and the rooms are stand-ins that answer as the
// real ones do, except in the spec that uses a real room.

#include "actor_test_support.hpp"

#include "actors/connection.hpp"
#include "actors/frames.hpp"
#include "actors/interfaces.hpp"
#include "actors/metrics.hpp"
#include "actors/registry.hpp"
#include "actors/room.hpp"

#include <boost/json.hpp>
#include <caf/all.hpp>
#include <doctest/doctest.h>

#include <map>
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

using leave_member_atom = caf::atom_constant<caf::atom("t_closemem")>;

/// How the stand-in rooms answer joins, and what every room received, in order, as text:
/// "join <topic> <join_ref>", "publish <topic> <event> <join_ref>", "leave <topic> <ref>", "sync".
struct room_script {
  std::vector<join_outcome> outcomes; ///< answers to the next joins, in order; then admitted
  bool answer_sync = true;
  std::vector<std::string> log;
  std::vector<join_request> joins; ///< every join request a room received

  join_outcome next_outcome() {
    if (outcomes.empty())
      return join_outcome::admitted;
    auto o = outcomes.front();
    outcomes.erase(outcomes.begin());
    return o;
  }
};

std::string text(const json::value& v) {
  return v.is_string() ? std::string(v.as_string()) : "null";
}

/// Stands in for a room: answers a join as the room does (writing the reply itself unless the
/// join expired), records what it is sent, and on (leave_member_atom, join_ref) tells the
/// connection its channel ended, as room_core does for a graceful stop or a member crash. Exits
/// normally on stop_atom, as the real room does.
caf::behavior stand_in_room(caf::event_based_actor* self, std::string topic,
                            std::shared_ptr<room_script> script) {
  return {
    [=](join_request& req) -> join_answer {
      script->log.push_back("join " + topic + " " + text(req.msg.join_ref));
      auto outcome = script->next_outcome();
      if (outcome == join_outcome::admitted)
        req.port->push(make_reply_frame(req.port->serializer(), req.msg.join_ref, req.msg.ref,
                                        topic, "ok", json::value(json::object{})));
      else if (outcome == join_outcome::refused)
        req.port->push(make_reply_frame(req.port->serializer(), req.msg.join_ref, req.msg.ref,
                                        topic, "error", reason_payload("unauthorized")));
      script->joins.push_back(std::move(req));
      return {outcome, caf::actor_cast<room_member_actor>(self)};
    },
    [=](const client_event& in) {
      script->log.push_back("publish " + topic + " " + in.msg.event + " " + text(in.msg.join_ref));
    },
    [=](const leave_request& leave) {
      script->log.push_back("leave " + topic + " " + text(leave.msg.ref));
    },
    [=](sync_request) -> caf::result<bool> {
      script->log.push_back("sync");
      if (script->answer_sync)
        return true;
      return self->make_response_promise<bool>(); // never delivered
    },
    [=](stop_room) { self->quit(); },
    [=](leave_member_atom, const connection_actor& connection, const std::string& join_ref) {
      self->send(connection, channel_closed{topic, json::value(join_ref)});
    },
  };
}

/// How the stand-in shard answers joins.
enum class shard_mode { forward, hold, fail };

struct shard_script {
  shard_mode mode = shard_mode::forward;
  std::map<std::string, caf::actor> rooms; ///< topic → room (stand-ins spawned on first join)
  std::shared_ptr<room_script> room = std::make_shared<room_script>();
  std::vector<caf::response_promise> held;
  std::size_t joins = 0;
};

/// Stands in for a registry shard: delegates joins to the topic's room (spawning a stand-in
/// room on first use), or holds or fails them as the script says; ignores rooms' notices.
caf::behavior stand_in_shard(caf::event_based_actor* self, std::shared_ptr<shard_script> script) {
  return {
    [=](join_request& req) {
      ++script->joins;
      auto rp = self->make_response_promise();
      if (script->mode == shard_mode::hold) {
        script->held.push_back(rp);
        return;
      }
      if (script->mode == shard_mode::fail) {
        rp.deliver(caf::make_error(caf::sec::runtime_error, "start failed"));
        return;
      }
      auto& room = script->rooms[req.msg.topic];
      if (!room)
        room = self->spawn(stand_in_room, req.msg.topic, script->room);
      rp.delegate(room, std::move(req));
    },
    [](const room_started&) {},
    [](const room_idle&) {},
  };
}

/// A channel whose handle_in throws on "crash" (a member-level crash) and replies ok otherwise.
class crashing_channel final : public channel<> {
public:
  join_result join(std::string_view, const sb::protocol::payload&, member_type&) override {
    return join_result::accept();
  }
  in_result handle_in(std::string_view event, const sb::protocol::payload&, member_type&) override {
    if (event == "crash")
      throw std::runtime_error("handle_in failed");
    return in_result::ok();
  }
};

struct fixture : sb::tests::test_system {
  std::shared_ptr<recording_port> port = std::make_shared<recording_port>();
  std::shared_ptr<shard_script> script = std::make_shared<shard_script>();
  std::shared_ptr<router> routes = std::make_shared<router>();
  caf::actor shard;
  connection_actor conn;
  std::shared_ptr<sb::tests::exit_record> conn_exit;
  std::vector<caf::actor> actors; ///< killed at the end

  explicit fixture(std::size_t max_channels = 100) {
    auto never_called = [](std::string_view) -> std::unique_ptr<basic_channel> {
      throw std::logic_error("stand-in rooms make no channel");
    };
    REQUIRE(routes->add("room:*", "stand_in", never_called).empty());
    REQUIRE(routes
              ->add("crashy:*", "crashing",
                    [](std::string_view) { return std::make_unique<crashing_channel>(); })
              .empty());
    shard = sys->spawn(stand_in_shard, script);
    sys->registry().put(shard_name(0), shard); // connections find their shard by name
    auto ctx = std::make_shared<connection_context>();
    ctx->routes = routes;
    ctx->rooms = std::make_shared<registry>(*sys, 1);
    ctx->limits.max_channels = max_channels;
    conn = spawn_connection(*sys, port, std::make_shared<socket_info>(), ctx);
    conn_exit = sb::tests::watch_exit(caf::actor_cast<caf::actor>(conn));
    actors = {shard, caf::actor_cast<caf::actor>(conn)};
    sched->run();
  }
  ~fixture() {
    for (auto& [topic, room] : script->rooms)
      caf::anon_send_exit(room, caf::exit_reason::kill);
    for (auto& a : actors)
      caf::anon_send_exit(a, caf::exit_reason::kill);
    sched->run();
  }

  [[nodiscard]] bool conn_alive() const { return !conn_exit->exited; }
  [[nodiscard]] bool conn_exited_normally() const {
    return conn_exit->exited && !conn_exit->reason;
  }

  /// A client text frame; the actors then run until idle.
  void send(const std::string& frame, bool rate_limited = false) {
    caf::anon_send(conn, inbound_frame{frame, false, rate_limited});
    sched->run();
  }
  void join(const std::string& topic, const std::string& join_ref) {
    send(R"([")" + join_ref + R"(",")" + join_ref + R"(",")" + topic + R"(","phx_join",{}])");
  }
  caf::actor room(const std::string& topic) { return script->rooms.at(topic); }
  std::vector<std::string> room_log() { return std::exchange(script->room->log, {}); }
};

std::string reply(const std::string& join_ref, const std::string& ref, const std::string& topic,
                  const std::string& status, const std::string& response = "{}") {
  return "[" + join_ref + R"(,")" + ref + R"(",")" + topic + R"(","phx_reply",{"status":")" +
         status + R"(","response":)" + response + "}]";
}
std::string quoted(const std::string& s) {
  return '"' + s + '"';
}
std::string error_reason(const std::string& reason) {
  return R"({"reason":")" + reason + R"("})";
}
std::string control(const std::string& join_ref, const std::string& topic, const std::string& event,
                    const std::string& payload) {
  return R"([")" + join_ref + R"(",")" + join_ref + R"(",")" + topic + R"(",")" + event + R"(",)" +
         payload + "]";
}
using log_t = std::vector<std::string>;

} // namespace

TEST_CASE("a heartbeat is answered ok on topic phoenix with a null join_ref, joined or not") {
  fixture f;
  f.send(R"([null,"1","phoenix","heartbeat",{}])");
  f.send(R"(["7","2","phoenix","heartbeat",{}])");
  CHECK(f.port->take() ==
        frames{reply("null", "1", "phoenix", "ok"), reply("null", "2", "phoenix", "ok")});
  CHECK(f.script->joins == 0);
}

TEST_CASE("a join of a topic no route matches is answered unmatched topic with a null join_ref") {
  fixture f;
  f.join("nowhere:1", "1");
  CHECK(f.port->take() ==
        frames{reply("null", "1", "nowhere:1", "error", error_reason("unmatched topic"))});
  CHECK(f.script->joins == 0);
}

TEST_CASE(
  "a join goes to the topic's shard, and once admitted the topic's messages go to its room") {
  fixture f;
  f.join("room:a", "1");
  CHECK(f.script->joins == 1);
  CHECK(f.room_log() == log_t{"join room:a 1"});
  CHECK(f.port->take() == frames{reply(quoted("1"), "1", "room:a", "ok")});
  // What the room needs to serve the member itself, and a deadline inside the client's 10 s.
  const auto& req = f.script->room->joins.at(0);
  CHECK(req.connection == f.conn);
  CHECK(req.port == f.port);
  CHECK(req.route == f.routes->match("room:a"));
  CHECK(req.deadline > std::chrono::steady_clock::now());
  CHECK(req.deadline <= std::chrono::steady_clock::now() + 5s);

  f.send(R"(["1","2","room:a","shout",{}])");
  f.send(R"([null,"3","room:a","shout",{}])"); // null join_ref: the current incarnation
  CHECK(f.room_log() == log_t{"publish room:a shout 1", "publish room:a shout null"});
  CHECK(f.port->take().empty()); // the room answers, not the connection
}

TEST_CASE("a V1 join without join_ref takes its ref as the channel's join_ref") {
  fixture f;
  f.send(R"([null,"5","room:a","phx_join",{}])");
  CHECK(f.room_log() == log_t{"join room:a 5"});
  f.send(R"(["5","6","room:a","shout",{}])");
  CHECK(f.room_log() == log_t{"publish room:a shout 5"});
}

TEST_CASE("a refused join records nothing: a later message to the topic is unmatched") {
  fixture f;
  f.script->room->outcomes = {join_outcome::refused};
  f.join("room:a", "1");
  CHECK(f.port->take() ==
        frames{reply(quoted("1"), "1", "room:a", "error", error_reason("unauthorized"))});
  f.send(R"(["1","2","room:a","shout",{}])");
  CHECK(f.port->take() ==
        frames{reply("null", "2", "room:a", "error", error_reason("unmatched topic"))});
  CHECK(f.room_log() == log_t{"join room:a 1"});
}

TEST_CASE("a join the room finds expired is answered timeout by the connection, and not joined") {
  fixture f;
  f.script->room->outcomes = {join_outcome::expired};
  f.join("room:a", "1");
  CHECK(f.port->take() ==
        frames{reply(quoted("1"), "1", "room:a", "error", error_reason("timeout"))});
  f.send(R"(["1","2","room:a","shout",{}])");
  CHECK(f.port->take() ==
        frames{reply("null", "2", "room:a", "error", error_reason("unmatched topic"))});
}

TEST_CASE(
  "a join nobody answers within 10 s is answered timeout, and the connection waits till then") {
  fixture f;
  f.script->mode = shard_mode::hold;
  f.join("room:a", "1");
  CHECK(f.script->held.size() == 1);
  f.send(R"([null,"2","phoenix","heartbeat",{}])"); // queued behind the join
  CHECK(f.port->take().empty());
  f.sched->advance_time(9s);
  f.sched->run();
  CHECK(f.port->take().empty());
  f.sched->advance_time(1s);
  f.sched->run();
  CHECK(f.port->take() ==
        frames{reply(quoted("1"), "1", "room:a", "error", error_reason("timeout")),
               reply("null", "2", "phoenix", "ok")});
}

TEST_CASE("a join the shard answers with an error, or sent to a dead shard, is join crashed") {
  fixture f;
  f.script->mode = shard_mode::fail;
  f.join("room:a", "1");
  CHECK(f.port->take() ==
        frames{reply(quoted("1"), "1", "room:a", "error", error_reason("join crashed"))});
  caf::anon_send_exit(f.shard, caf::exit_reason::kill); // its partition is restarting
  f.sched->run();
  f.join("room:b", "2");
  CHECK(f.port->take() ==
        frames{reply(quoted("2"), "2", "room:b", "error", error_reason("join crashed"))});
  CHECK(f.script->joins == 1);
}

TEST_CASE("a duplicate join goes to the room again and the channel takes the new join_ref") {
  fixture f;
  f.join("room:a", "1");
  f.join("room:a", "3");
  CHECK(f.room_log() == log_t{"join room:a 1", "join room:a 3"});
  CHECK(f.port->take() ==
        frames{reply(quoted("1"), "1", "room:a", "ok"), reply(quoted("3"), "3", "room:a", "ok")});
  f.send(R"(["1","4","room:a","shout",{}])"); // the old incarnation's: dropped silently
  f.send(R"(["3","5","room:a","shout",{}])");
  CHECK(f.room_log() == log_t{"publish room:a shout 3"});
  CHECK(f.port->take().empty());
}

TEST_CASE("a refused duplicate join ends the old channel on the connection as well") {
  fixture f;
  f.script->room->outcomes = {join_outcome::admitted, join_outcome::refused};
  f.join("room:a", "1");
  f.join("room:a", "3");
  f.port->take();
  f.send(R"(["1","4","room:a","shout",{}])");
  CHECK(f.port->take() ==
        frames{reply("null", "4", "room:a", "error", error_reason("unmatched topic"))});
  CHECK(f.room_log() == log_t{"join room:a 1", "join room:a 3"});
}

TEST_CASE("a leave of a topic not joined is answered ok with the message's join_ref") {
  fixture f;
  f.send(R"(["5","6","room:a","phx_leave",{}])");
  CHECK(f.port->take() == frames{reply(quoted("5"), "6", "room:a", "ok")});
  CHECK(f.script->joins == 0);
}

TEST_CASE("a leave of a joined topic goes to the room and the connection forgets the topic") {
  fixture f;
  f.join("room:a", "1");
  f.port->take();
  f.send(R"(["9","2","room:a","phx_leave",{}])"); // another incarnation's leave: ignored
  CHECK(f.port->take().empty());
  f.send(R"(["1","3","room:a","phx_leave",{}])");
  CHECK(f.port->take().empty()); // the room writes the reply and the phx_close
  f.send(R"(["1","4","room:a","shout",{}])");
  CHECK(f.port->take() ==
        frames{reply("null", "4", "room:a", "error", error_reason("unmatched topic"))});
  CHECK(f.room_log() == log_t{"join room:a 1", "leave room:a 3"});
}

TEST_CASE("a message to a topic not joined is answered unmatched topic with a null join_ref") {
  fixture f;
  f.send(R"(["1","2","room:a","shout",{}])");
  f.send(R"(["1","3","nowhere:1","shout",{}])");
  CHECK(f.port->take() ==
        frames{reply("null", "2", "room:a", "error", error_reason("unmatched topic")),
               reply("null", "3", "nowhere:1", "error", error_reason("unmatched topic"))});
  CHECK(f.script->joins == 0);
}

TEST_CASE("a reserved phx_ event on a joined topic is refused and never reaches the room") {
  fixture f;
  f.join("room:a", "1");
  f.room_log();
  f.port->take();
  for (const char* event : {"phx_close", "phx_error", "phx_reply", "phx_whatever"})
    f.send(std::string(R"(["1","2","room:a",")") + event + R"(",{}])");
  CHECK(f.port->take() ==
        frames(4, reply(quoted("1"), "2", "room:a", "error", error_reason("reserved event"))));
  CHECK(f.room_log().empty());
}

TEST_CASE("a join past max_channels is refused, but a duplicate join at the limit is not") {
  fixture f{2};
  f.join("room:a", "1");
  f.join("room:b", "2");
  f.port->take();
  f.join("room:c", "3");
  CHECK(f.port->take() == frames{reply(quoted("3"), "3", "room:c", "error",
                                       error_reason("too many channels joined"))});
  f.join("room:a", "4");
  CHECK(f.port->take() == frames{reply(quoted("4"), "4", "room:a", "ok")});
  CHECK(f.room_log() == log_t{"join room:a 1", "join room:b 2", "join room:a 4"});
  // A channel that ends frees its slot.
  f.send(R"(["2","5","room:b","phx_leave",{}])");
  f.join("room:c", "6");
  CHECK(f.port->take() == frames{reply(quoted("6"), "6", "room:c", "ok")});
}

TEST_CASE("a rate-limited frame is answered rate_limited and otherwise ignored") {
  fixture f;
  f.join("room:a", "1");
  f.port->take();
  f.room_log();
  const std::string join = R"(["2","2","room:b","phx_join",{}])";
  const std::string shout = R"(["1","3","room:a","shout",{}])";
  const std::string heartbeat = R"([null,"4","phoenix","heartbeat",{}])";
  f.send(join, true);
  f.send(shout, true);
  f.send(heartbeat, true);
  CHECK(f.port->take() ==
        frames{reply(quoted("2"), "2", "room:b", "error", error_reason("rate_limited")),
               reply(quoted("1"), "3", "room:a", "error", error_reason("rate_limited")),
               reply("null", "4", "phoenix", "error", error_reason("rate_limited"))});
  CHECK(f.room_log().empty());
  CHECK(f.script->joins == 1);
  // Every frame read counts as consumed, so the session resumes reading.
  CHECK(f.port->consumed == std::string(R"(["1","1","room:a","phx_join",{}])").size() +
                              join.size() + shout.size() + heartbeat.size());
}

TEST_CASE("rate_limit_exceeded closes with 1008 once the rooms handled what came before") {
  fixture f;
  f.join("room:a", "1");
  f.send(R"(["1","2","room:a","shout",{}])");
  f.room_log();
  caf::anon_send(f.conn, rate_limit_exceeded{});
  f.sched->run();
  CHECK(f.room_log() == log_t{"sync"});
  CHECK(f.port->closes == std::vector<std::pair<std::uint16_t, std::string>>{
                            {close_code::policy, "rate limit exceeded"}});
  CHECK(f.conn_exited_normally());
}

TEST_CASE("rate_limit_exceeded closes with 1008 after 2 s when a room does not answer") {
  fixture f;
  f.join("room:a", "1");
  f.port->take();
  f.script->room->answer_sync = false;
  caf::anon_send(f.conn, rate_limit_exceeded{});
  f.sched->run();
  f.send(R"([null,"9","phoenix","heartbeat",{}])"); // closing: inbound frames are ignored
  CHECK(f.port->take().empty());
  CHECK(f.port->closes.empty());
  f.sched->advance_time(2s);
  f.sched->run();
  CHECK(f.port->closes == std::vector<std::pair<std::uint16_t, std::string>>{
                            {close_code::policy, "rate limit exceeded"}});
  CHECK(f.conn_exited_normally());
}

TEST_CASE("an undecodable frame closes with 1007 and ends the connection") {
  fixture f;
  auto malformed_before = metrics::global().malformed_total.load();
  f.send(R"({"not":"an array"})");
  REQUIRE(f.port->closes.size() == 1);
  CHECK(f.port->closes[0].first == close_code::invalid_payload);
  CHECK_FALSE(f.port->closes[0].second.empty());
  CHECK(f.port->take().empty());
  CHECK(f.conn_exited_normally());
  CHECK(metrics::global().malformed_total.load() == malformed_before + 1);
}

TEST_CASE(
  "a room's closed notice makes the topic not joined, but a stale incarnation's is ignored") {
  fixture f;
  f.join("room:a", "1");
  f.join("room:a", "3");
  f.port->take();
  f.room_log();
  caf::anon_send(f.room("room:a"), leave_member_atom::value, f.conn, std::string("1"));
  f.sched->run();
  f.send(R"(["3","4","room:a","shout",{}])");
  CHECK(f.room_log() == log_t{"publish room:a shout 3"});
  caf::anon_send(f.room("room:a"), leave_member_atom::value, f.conn, std::string("3"));
  f.sched->run();
  f.send(R"(["3","5","room:a","shout",{}])");
  CHECK(f.port->take() ==
        frames{reply("null", "5", "room:a", "error", error_reason("unmatched topic"))});
  CHECK(f.room_log().empty());
  // The room's normal exit later on writes nothing for a channel the connection forgot.
  caf::anon_send(f.room("room:a"), stop_room{});
  f.sched->run();
  CHECK(f.port->take().empty());
}

TEST_CASE("a member-level crash in a real room: phx_error, then not joined, and a rejoin works") {
  fixture f;
  const std::string topic = "crashy:1";
  auto room = spawn_room(*f.sys, topic, f.routes->match(topic),
                         caf::actor_cast<registry_shard_actor>(f.shard), room_limits{});
  f.script->rooms[topic] = caf::actor_cast<caf::actor>(room);
  f.sched->run();
  f.join(topic, "1");
  f.send(R"(["1","2","crashy:1","crash",{}])");
  CHECK(f.port->take() == frames{reply(quoted("1"), "1", topic, "ok"),
                                 control("1", topic, "phx_error", error_reason("channel_crash"))});
  f.send(R"(["1","3","crashy:1","hello",{}])");
  CHECK(f.port->take() ==
        frames{reply("null", "3", topic, "error", error_reason("unmatched topic"))});
  f.join(topic, "4");
  f.send(R"(["4","5","crashy:1","hello",{}])");
  CHECK(f.port->take() ==
        frames{reply(quoted("4"), "4", topic, "ok"), reply(quoted("4"), "5", topic, "ok")});
}

TEST_CASE(
  "a room that crashes sends phx_error for its topic only, one that stops sends phx_close") {
  fixture f;
  f.join("room:a", "1");
  f.join("room:b", "2");
  f.join("room:c", "3");
  f.port->take();
  f.room_log();
  sb::tests::send_exit(f.room("room:a"), caf::sec::runtime_error);
  f.sched->run();
  CHECK(f.port->take() ==
        frames{control("1", "room:a", "phx_error", error_reason("channel_crash"))});
  caf::anon_send(f.room("room:c"), stop_room{});
  f.sched->run();
  CHECK(f.port->take() == frames{control("3", "room:c", "phx_close", "{}")});

  f.send(R"(["1","4","room:a","shout",{}])");
  f.send(R"(["2","5","room:b","shout",{}])");
  f.send(R"(["3","6","room:c","shout",{}])");
  CHECK(f.port->take() ==
        frames{reply("null", "4", "room:a", "error", error_reason("unmatched topic")),
               reply("null", "6", "room:c", "error", error_reason("unmatched topic"))});
  CHECK(f.room_log() == log_t{"publish room:b shout 2"});
  CHECK(f.conn_alive());
}

TEST_CASE("the connection's exit closes its port: 1001 on shutdown, 1011 on a crash") {
  SUBCASE("shutdown") {
    fixture f;
    caf::anon_send_exit(f.conn, caf::exit_reason::user_shutdown);
    f.sched->run();
    CHECK(f.port->closes == std::vector<std::pair<std::uint16_t, std::string>>{
                              {close_code::going_away, "server shutting down"}});
  }
  SUBCASE("crash") {
    fixture f;
    sb::tests::send_exit(caf::actor_cast<caf::actor>(f.conn), caf::sec::runtime_error);
    f.sched->run();
    CHECK(f.port->closes == std::vector<std::pair<std::uint16_t, std::string>>{
                              {close_code::internal_error, "internal error"}});
  }
  SUBCASE("killed") {
    fixture f;
    caf::anon_send_exit(f.conn, caf::exit_reason::kill);
    f.sched->run();
    CHECK(f.port->closes == std::vector<std::pair<std::uint16_t, std::string>>{
                              {close_code::internal_error, "internal error"}});
  }
}

TEST_CASE("a peer that closed ends the connection without a close of its own") {
  fixture f;
  f.join("room:a", "1");
  caf::anon_send(f.conn, peer_closed{});
  f.sched->run();
  CHECK(f.conn_exited_normally());
  CHECK(f.port->closes.empty());
}

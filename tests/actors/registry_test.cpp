// A registry shard driven one message at a time (CAF's test coordinator), with a stand-in room
// supervisor and stand-in rooms: joins that wait for a starting room, idle notices that race
// joins, stale room incarnations, rooms that die, and failed room starts.

#include "actor_test_support.hpp"

#include "actors/interfaces.hpp"
#include "actors/registry.hpp"
#include "supervision/protocol.hpp"

#include <boost/json.hpp>
#include <caf/all.hpp>
#include <doctest/doctest.h>

#include <memory>
#include <string>
#include <vector>

namespace {

namespace sb = switchboard;
namespace json = boost::json;
namespace sup = switchboard::supervision;
using namespace sb::actors;

using announce_atom = caf::atom_constant<caf::atom("t_announce")>;
using go_idle_atom = caf::atom_constant<caf::atom("t_goidle")>;
using ask_join_atom = caf::atom_constant<caf::atom("t_askjoin")>;
using answer_atom = caf::atom_constant<caf::atom("t_answer")>;

/// What one stand-in room saw.
struct room_log {
  std::string topic;
  std::uint64_t joins_seen = 0;
  std::size_t broadcasts = 0;
  bool stopped = false;
};

/// Stands in for a room: admits every join, counting it; on announce_atom tells the shard it
/// started, on go_idle_atom reports idle with the joins it has seen (as the real room does when
/// its last member left); exits normally on stop_room. The test decides when it announces.
caf::behavior stand_in_room(caf::event_based_actor* self, registry_shard_actor shard,
                            std::shared_ptr<room_log> log) {
  auto me = [self] { return caf::actor_cast<room_actor>(self); };
  return {
    [=](join_request&) -> join_answer {
      ++log->joins_seen;
      return {join_outcome::admitted, me()};
    },
    [=](const broadcast_request&) { ++log->broadcasts; },
    [=](announce_atom) {
      self->send(shard, room_started{log->topic, me()});
    },
    [=](go_idle_atom) {
      self->send(shard, room_idle{log->topic, log->joins_seen, me()});
    },
    [=](stop_room) {
      log->stopped = true;
      self->quit();
    },
  };
}

struct started_room {
  caf::actor room;
  std::shared_ptr<room_log> log;
};

/// What the stand-in supervisor does and did.
struct supervisor_script {
  caf::error fail_with;      ///< when set, start_child answers this error
  bool hold_answers = false; ///< when set, the answers wait in `held` until the test delivers them
  std::size_t start_requests = 0;
  std::vector<started_room> started;
  std::vector<std::pair<caf::response_promise, caf::actor>> held;
};

/// Stands in for the rooms' simple_one_for_one supervisor: a start_child spawns a stand-in room
/// with the start arguments the shard passes (topic, route, shard, limits), or fails; with
/// hold_answers, the answer waits until answer_atom.
caf::behavior stand_in_supervisor(caf::event_based_actor* self,
                                  std::shared_ptr<supervisor_script> script) {
  return {
    [=](sup::start_child_atom, const sup::start_args& a) {
      ++script->start_requests;
      auto rp = self->make_response_promise();
      if (script->fail_with) {
        rp.deliver(script->fail_with);
        return rp;
      }
      REQUIRE(a.args.match_elements<std::string, std::shared_ptr<const route>, registry_shard_actor,
                                    room_limits>());
      auto log = std::make_shared<room_log>();
      log->topic = a.args.get_as<std::string>(0);
      auto room = self->spawn(stand_in_room, a.args.get_as<registry_shard_actor>(2), log);
      script->started.push_back({room, log});
      if (script->hold_answers)
        script->held.emplace_back(rp, room);
      else
        rp.deliver(room);
      return rp;
    },
    [=](answer_atom) { // delivers the oldest held answer (a promise is delivered by its actor)
      auto [rp, room] = script->held.front();
      script->held.erase(script->held.begin());
      rp.deliver(room);
    },
  };
}

/// What a stand-in connection got back for its join.
struct join_record {
  bool answered = false;
  join_outcome outcome = join_outcome::refused;
  caf::actor room;
  caf::error error;
};

/// Stands in for a connection: on ask_join_atom sends its shard a join for the topic and
/// records the answer.
caf::behavior stand_in_connection(caf::event_based_actor* self, registry_shard_actor shard,
                                  std::shared_ptr<const route> r,
                                  std::shared_ptr<join_record> answer) {
  return {
    [=](ask_join_atom, const std::string& topic) {
      sb::protocol::message msg{json::value("1"), json::value("1"), topic, "phx_join",
                                json::value(json::object{})};
      join_request req{caf::actor_cast<connection_actor>(self),
                       nullptr,
                       nullptr,
                       r,
                       std::move(msg),
                       std::chrono::steady_clock::now() + std::chrono::seconds(5)};
      self->request(shard, caf::infinite, std::move(req))
        .then(
          [answer](join_answer& a) {
            answer->answered = true;
            answer->outcome = a.outcome;
            answer->room = caf::actor_cast<caf::actor>(a.room);
          },
          [answer](caf::error& err) {
            answer->answered = true;
            answer->error = std::move(err);
          });
    },
  };
}

const std::string topic = "room:1";

struct fixture : sb::tests::test_system {
  std::shared_ptr<supervisor_script> script = std::make_shared<supervisor_script>();
  std::shared_ptr<const route> r; ///< stand-in rooms never call its factory
  caf::actor supervisor;
  registry_shard_actor shard;
  std::vector<caf::actor> actors; ///< killed at the end

  struct client {
    caf::actor connection;
    std::shared_ptr<join_record> answer = std::make_shared<join_record>();
  };

  fixture() {
    router routes;
    REQUIRE(routes.add("room:*", "stand_in", [](std::string_view) { return nullptr; }).empty());
    r = routes.match(topic);
    supervisor = sys->spawn(stand_in_supervisor, script);
    sys->registry().put(rooms_name(0), supervisor); // the shard finds its supervisor by name
    shard = spawn_registry_shard(*sys, 0, room_limits{});
    actors = {supervisor, caf::actor_cast<caf::actor>(shard)};
    sched->run();
  }
  ~fixture() {
    for (auto& s : script->started)
      caf::anon_send_exit(s.room, caf::exit_reason::kill);
    for (auto& a : actors)
      caf::anon_send_exit(a, caf::exit_reason::kill);
    sched->run();
  }

  /// A connection that asks to join `topic` (the actors do not run yet).
  client ask_join() {
    client c;
    c.connection = sys->spawn(stand_in_connection, shard, r, c.answer);
    actors.push_back(c.connection);
    while (sched->prioritize(c.connection)) // its start, and nothing else
      sched->run_once();
    caf::anon_send(c.connection, ask_join_atom::value, topic);
    return c;
  }
  client join() {
    auto c = ask_join();
    sched->run();
    return c;
  }
  started_room& room(std::size_t i) { return script->started.at(i); }
  void announce(std::size_t i) {
    caf::anon_send(room(i).room, announce_atom::value);
    sched->run();
  }
};

bool admitted_by(const fixture::client& c, const caf::actor& room) {
  return c.answer->answered && !c.answer->error && c.answer->outcome == join_outcome::admitted &&
         c.answer->room == room;
}

} // namespace

TEST_CASE("joins for a room being started wait, and are forwarded once the room announces itself") {
  fixture f;
  auto a = f.join();
  auto b = f.join();
  CHECK(f.script->start_requests == 1); // one start for both
  REQUIRE(f.script->started.size() == 1);
  CHECK(f.room(0).log->joins_seen == 0);
  CHECK_FALSE(a.answer->answered);
  CHECK_FALSE(b.answer->answered);

  f.announce(0);
  CHECK(f.room(0).log->joins_seen == 2);
  CHECK(admitted_by(a, f.room(0).room));
  CHECK(admitted_by(b, f.room(0).room));
  auto c = f.join(); // the room is known now: forwarded at once
  CHECK(admitted_by(c, f.room(0).room));
  CHECK(f.script->start_requests == 1);
}

TEST_CASE(
  "an idle notice that crossed a forwarded join does not stop the room, and the join is answered") {
  fixture f;
  auto a = f.join();
  f.announce(0);
  REQUIRE(admitted_by(a, f.room(0).room));
  // The room's last member leaves and it reports idle (1 join seen) while the shard is already
  // forwarding a second join: the shard handles the join first, then the idle notice.
  auto b = f.ask_join();
  f.step(b.connection); // the join is in the shard's mailbox
  caf::anon_send(f.room(0).room, go_idle_atom::value);
  f.step(f.room(0).room); // idle(1) is behind it
  f.sched->run();
  CHECK_FALSE(f.room(0).log->stopped);
  CHECK(admitted_by(b, f.room(0).room));
  auto c = f.join(); // still the shard's room for the topic
  CHECK(admitted_by(c, f.room(0).room));
  CHECK(f.script->start_requests == 1);

  // An idle notice that counts every forwarded join does stop it.
  caf::anon_send(f.room(0).room, go_idle_atom::value);
  f.sched->run();
  CHECK(f.room(0).log->stopped);
  auto d = f.join();
  CHECK(f.script->start_requests == 2);
  CHECK_FALSE(d.answer->answered);
}

TEST_CASE(
  "idle notices from a stopped room incarnation are ignored while its successor starts and runs") {
  fixture f;
  auto a = f.join();
  f.announce(0);
  REQUIRE(admitted_by(a, f.room(0).room));
  auto old_room = f.room(0).room;
  // The old room reports idle three times (its grace-period check fires too) before it gets to
  // the stop the first notice earns it.
  for (int i = 0; i < 3; ++i)
    caf::anon_send(old_room, go_idle_atom::value);
  f.step(old_room);
  f.step(f.shard); // idle(1): the shard erases the topic and sends stop
  auto b = f.ask_join();
  f.run_except(old_room); // a fresh room is started for b's join, which waits
  REQUIRE(f.script->started.size() == 2);
  auto new_room = f.room(1).room;
  CHECK_FALSE(b.answer->answered);

  f.step(old_room); // a stale idle while the successor starts
  f.run_except(old_room);
  CHECK_FALSE(b.answer->answered);
  CHECK(f.script->start_requests == 2);

  caf::anon_send(new_room, announce_atom::value);
  f.run_except(old_room);
  CHECK(admitted_by(b, new_room));

  f.step(old_room); // a stale idle whose join count matches the successor's
  f.run_except(old_room);
  CHECK_FALSE(f.room(1).log->stopped);
  auto c = f.join(); // forwarded to the successor, no new start
  CHECK(admitted_by(c, new_room));
  CHECK(f.script->start_requests == 2);
  CHECK(f.room(0).log->stopped); // the old room got its stop at last
}

TEST_CASE(
  "a room that dies after announcing itself is forgotten: the next join starts a fresh room") {
  fixture f;
  auto a = f.join();
  f.announce(0);
  REQUIRE(admitted_by(a, f.room(0).room));
  sb::tests::send_exit(f.room(0).room, caf::sec::runtime_error);
  f.sched->run();
  auto b = f.join();
  CHECK(f.script->start_requests == 2);
  REQUIRE(f.script->started.size() == 2);
  f.announce(1);
  CHECK(admitted_by(b, f.room(1).room));
}

// A route's channel factory that throws kills the room while it initialises, after the
// supervisor answered start_child with it but before it announced itself. The shard watches the
// room from the supervisor's answer on, so that death is a failed start: the waiting joins get
// the error (not a 10 s timeout) and the topic is free for the next join. Starting another room
// for them instead could loop for as long as the factory throws.
TEST_CASE("a room that dies before announcing itself fails the joins waiting for it, and the next "
          "join starts a fresh room") {
  fixture f;
  auto a = f.ask_join();
  auto b = f.ask_join();
  f.sched->run();
  REQUIRE(f.script->started.size() == 1);
  sb::tests::send_exit(f.room(0).room, caf::sec::runtime_error);
  f.sched->run();
  for (auto* c : {&a, &b}) {
    CHECK(c->answer->answered);
    CHECK(c->answer->error == caf::sec::runtime_error);
  }
  CHECK(f.script->start_requests == 1);
  auto c = f.join();
  CHECK(f.script->start_requests == 2);
  f.announce(1);
  CHECK(admitted_by(c, f.room(1).room));
}

TEST_CASE(
  "a failed room start answers every waiting join with the error, and the next join retries") {
  fixture f;
  f.script->fail_with = caf::make_error(caf::sec::runtime_error, "no room today");
  auto a = f.ask_join();
  auto b = f.ask_join();
  f.sched->run();
  CHECK(f.script->start_requests == 1);
  for (auto* c : {&a, &b}) {
    CHECK(c->answer->answered);
    CHECK(c->answer->error == f.script->fail_with);
  }
  f.script->fail_with = caf::error{};
  auto c = f.join();
  CHECK(f.script->start_requests == 2);
  f.announce(0);
  CHECK(admitted_by(c, f.room(0).room));
}

TEST_CASE("a broadcast goes to the topic's running room, and none is queued for a starting room") {
  fixture f;
  auto broadcast = [&] {
    caf::anon_send(f.shard, broadcast_request{topic, "news", json::value(json::object{})});
    f.sched->run();
  };
  broadcast(); // no room
  auto a = f.join();
  broadcast(); // the room is starting
  f.announce(0);
  CHECK(f.room(0).log->broadcasts == 0);
  broadcast();
  CHECK(f.room(0).log->broadcasts == 1);
}

// The supervisor's answer to a room start and the room's own announcement come from different
// actors, so the answer can arrive last, even after that room went idle and was stopped while a
// later start for the topic is under way. That stale answer must not make the shard watch the
// stopped room, whose down message would then fail the joins waiting for the new one.
TEST_CASE(
  "a stale answer to an earlier room start leaves the joins waiting for a later start alone") {
  fixture f;
  f.script->hold_answers = true;
  auto a = f.join();
  f.announce(0); // the room runs before the supervisor's answer arrived
  REQUIRE(admitted_by(a, f.room(0).room));
  caf::anon_send(f.room(0).room, go_idle_atom::value);
  f.sched->run(); // idle: the shard stops the room and forgets the topic
  REQUIRE(f.room(0).log->stopped);
  auto b = f.join(); // a second start, still unanswered
  REQUIRE(f.script->start_requests == 2);
  caf::anon_send(f.supervisor, answer_atom::value); // the first start's answer, at last
  f.sched->run();
  CHECK_FALSE(b.answer->answered); // still waiting for its own room, not failed
  f.announce(1);
  CHECK(admitted_by(b, f.room(1).room));
}

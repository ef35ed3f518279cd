// Batched presence (docs/presence.md, Batching): a `presence` bound to an in-memory room whose
// flush timer is fired by hand, and one presence.js client per member fed with what that member
// receives. Every test checks what goes on the wire and that every client converges.

#include "actors/frames.hpp"
#include "actors/presence.hpp"
#include "js_presence.hpp"

#include <boost/json.hpp>
#include <caf/all.hpp>
#include <doctest/doctest.h>

#include <map>
#include <memory>
#include <random>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

namespace switchboard::actors {

/// Builds members without a room: a connection actor for the id, a join_ref.
class member_access {
public:
  static void set(member_base& m, caf::actor connection, std::string join_ref) {
    m.connection_ = caf::actor_cast<connection_actor>(std::move(connection));
    m.join_ref_ = boost::json::value(join_ref);
  }
};

} // namespace switchboard::actors

namespace {

namespace json = boost::json;
using namespace switchboard::actors;
namespace protocol = switchboard::protocol;
using switchboard::tests::js_presence;
using list_t = js_presence::list_t;

struct received {
  std::string event;
  json::value join_ref;
  json::object payload;
};

/// A room in memory: records what every member receives; timers run when the test says so.
class fake_room final : public room_context {
public:
  const std::string& topic() const noexcept override { return topic_; }
  void broadcast(std::string_view event, const protocol::payload& p) override {
    ++broadcasts;
    for (auto* m : members_)
      record(*m, event, nullptr, p);
  }
  void broadcast_from(const member_base& from, std::string_view event,
                      const protocol::payload& p) override {
    ++broadcasts;
    for (auto* m : members_)
      if (m != &from)
        record(*m, event, nullptr, p);
  }
  push_result push(const member_base& to, std::string_view event,
                   const protocol::payload& p) override {
    record(to, event, to.join_ref(), p);
    return push_result::queued;
  }
  void push_each(const std::vector<const member_base*>& to, std::string_view event,
                 const protocol::payload& p) override {
    ++push_eaches;
    for (const auto* m : to)
      record(*m, event, m->join_ref(), p);
  }
  reply_ref current_ref() const override { return {}; }
  void reply(const reply_ref&, std::string_view, const protocol::payload&) override {}
  void cancel_timer(timer_id id) override { timers_.erase(id); }
  timer_id call_after(std::chrono::milliseconds delay, std::function<void()> fn) override {
    last_delay = delay;
    timers_.emplace(++next_timer_, std::move(fn));
    return next_timer_;
  }
  std::size_t member_count() const noexcept override { return members_.size(); }
  void for_each_member(const std::function<void(member_base&)>& fn) override {
    for (auto* m : members_)
      fn(*m);
  }
  void notify_when_drained(const member_base&) override {}

  /// Runs the pending timers (the end of a batch window).
  void fire() {
    auto due = std::exchange(timers_, {});
    for (auto& [id, fn] : due)
      fn();
  }
  [[nodiscard]] std::size_t timers() const noexcept { return timers_.size(); }
  void add(member_base& m) { members_.push_back(&m); }
  void remove(member_base& m) { std::erase(members_, &m); }

  std::map<caf::actor_id, std::vector<received>> inbox;
  int broadcasts = 0;
  int push_eaches = 0;
  std::chrono::milliseconds last_delay{0};

private:
  void send_info(caf::message) override {}
  timer_id send_info_after(std::chrono::milliseconds, caf::message) override { return 0; }
  timer_id send_info_every(std::chrono::milliseconds, caf::message) override { return 0; }
  void record(const member_base& to, std::string_view event, const json::value& join_ref,
              const protocol::payload& p) {
    inbox[to.id()].push_back({std::string(event), join_ref, std::get<json::value>(p).as_object()});
  }

  std::string topic_ = "presence:test";
  std::vector<member_base*> members_;
  std::map<timer_id, std::function<void()>> timers_;
  timer_id next_timer_ = 0;
};

/// A room with `presence`, members that join and leave as the broadcast behaviour does it
/// (track + push_state after the join reply; leave untracks), and one presence.js per member.
class harness {
public:
  explicit harness(presence_options options = {}) : presence_(room_, options) {}
  ~harness() {
    for (auto& [id, a] : actors_)
      caf::anon_send_exit(a, caf::exit_reason::kill);
  }

  /// Member `n` (re)joins with a new join_ref under `key`.
  member_base& join(int n, const std::string& key) {
    auto& slot = members_[n];
    if (slot.m) // a duplicate join: the old incarnation leaves first
      leave(n);
    slot.m = std::make_unique<member<int>>();
    member_access::set(*slot.m, actor(n), std::to_string(++join_refs_));
    slot.key = key;
    room_.add(*slot.m);
    presence_.track(*slot.m, key, json::object{{"n", n}});
    presence_.push_state(*slot.m);
    return *slot.m;
  }
  void leave(int n) {
    auto& slot = members_.at(n);
    presence_.leave(*slot.m);
    room_.remove(*slot.m);
    deliver(n); // what it got before leaving
    slot.m.reset();
  }
  member_base& at(int n) { return *members_.at(n).m; }

  /// Feeds every current member's client with what it received since the last call.
  void deliver_all() {
    for (auto& [n, slot] : members_)
      if (slot.m)
        deliver(n);
  }
  /// Events member `n` received and its client has not seen yet.
  std::vector<std::string> events(int n) {
    std::vector<std::string> out;
    for (const auto& r : room_.inbox[at(n).id()])
      out.push_back(r.event);
    return out;
  }
  js_presence& client(int n) { return clients_[n]; }
  /// The server's list as a client would hold it: key → phx_refs.
  std::map<std::string, std::set<std::string>> server_refs() {
    js_presence fresh;
    fresh.on_state(presence_.list(), 1);
    return fresh.refs();
  }

  fake_room room_;
  presence presence_;

private:
  struct slot {
    std::unique_ptr<member<int>> m;
    std::string key;
  };

  caf::actor actor(int n) {
    auto& a = actors_[n];
    if (!a)
      // An argument: CAF's factory for argument-less function actors trips UBSan.
      a = sys_.spawn([](caf::event_based_actor*, int) -> caf::behavior { return {[](int) {}}; }, n);
    return a;
  }
  void deliver(int n) {
    auto& m = *members_.at(n).m;
    const int join_ref = std::stoi(std::string(m.join_ref().as_string()));
    auto& inbox = room_.inbox[m.id()];
    for (const auto& r : inbox) {
      if (r.event == presence_state_event)
        clients_[n].on_state(r.payload, std::stoi(std::string(r.join_ref.as_string())));
      else if (r.event == presence_diff_event)
        clients_[n].on_diff(r.payload, join_ref);
    }
    inbox.clear();
  }

  caf::actor_system_config cfg_;
  caf::actor_system sys_{cfg_};
  std::map<int, caf::actor> actors_;
  std::map<int, slot> members_;
  std::map<int, js_presence> clients_;
  int join_refs_ = 0;
};

std::size_t keys_in(const json::object& o) {
  return o.size();
}

} // namespace

TEST_CASE("joins of one window are one diff broadcast, then one state built once for them") {
  harness h;
  h.join(1, "ann");
  h.join(2, "bob");
  h.join(3, "cat");
  CHECK(h.room_.broadcasts == 0);
  CHECK(h.room_.inbox.empty());
  CHECK(h.room_.timers() == 1);
  CHECK(h.room_.last_delay == std::chrono::milliseconds{50});
  h.room_.fire();
  CHECK(h.room_.broadcasts == 1);
  CHECK(h.room_.push_eaches == 1);
  for (int n : {1, 2, 3}) {
    CHECK(h.events(n) == std::vector<std::string>{"presence_diff", "presence_state"});
    const auto& inbox = h.room_.inbox[h.at(n).id()];
    CHECK(keys_in(inbox[0].payload.at("joins").as_object()) == 3);
    CHECK(keys_in(inbox[1].payload) == 3);
    CHECK(inbox[1].join_ref == h.at(n).join_ref());
  }
  h.deliver_all();
  for (int n : {1, 2, 3})
    CHECK(h.client(n).list() == list_t{{"ann", 1}, {"bob", 1}, {"cat", 1}});
  h.room_.fire(); // nothing pending: the timer is not re-armed
  CHECK(h.room_.timers() == 0);
  CHECK(h.room_.broadcasts == 1);
}

TEST_CASE("members of earlier windows get the diff only, a window's joiners get the state") {
  harness h;
  h.join(1, "ann");
  h.room_.fire();
  h.deliver_all();
  h.join(2, "bob");
  h.room_.fire();
  CHECK(h.events(1) == std::vector<std::string>{"presence_diff"});
  CHECK(h.events(2) == std::vector<std::string>{"presence_diff", "presence_state"});
  h.deliver_all();
  CHECK(h.client(1).list() == list_t{{"ann", 1}, {"bob", 1}});
  CHECK(h.client(2).list() == list_t{{"ann", 1}, {"bob", 1}});
}

TEST_CASE("a member that joins and leaves within one window appears in no diff and gets nothing") {
  harness h;
  h.join(1, "ann");
  h.room_.fire();
  h.deliver_all();
  h.join(2, "bob");
  h.leave(2);
  CHECK(h.presence_.pending_diff().empty());
  CHECK(h.presence_.pending_states() == 0);
  h.join(3, "cat");
  h.room_.fire();
  const auto& diff = h.room_.inbox[h.at(1).id()].at(0).payload;
  CHECK(json::serialize(diff.at("leaves")) == "{}");
  CHECK(keys_in(diff.at("joins").as_object()) == 1);
  CHECK(diff.at("joins").as_object().contains("cat"));
  h.deliver_all();
  CHECK(h.client(1).list() == list_t{{"ann", 1}, {"cat", 1}});
  CHECK(h.client(3).list() == list_t{{"ann", 1}, {"cat", 1}});
  CHECK(h.client(2).list().empty()); // bob left before any frame reached it
}

TEST_CASE("a leaving member receives no further diff, the others get its leave at the flush") {
  harness h;
  h.join(1, "ann");
  h.join(2, "bob");
  h.room_.fire();
  h.deliver_all();
  const auto bob = h.at(2).id();
  h.leave(2);
  h.room_.fire();
  CHECK(h.room_.inbox[bob].empty());
  CHECK(h.events(1) == std::vector<std::string>{"presence_diff"});
  h.deliver_all();
  CHECK(h.client(1).list() == list_t{{"ann", 1}});
  CHECK(h.client(1).left_keys == std::vector<std::string>{"bob"});
}

TEST_CASE("an update: in the window of its track one join, later a leave of the old meta and a "
          "join of the new one") {
  harness h;
  h.join(1, "ann");
  auto first = h.presence_.update(h.at(1), "ann", json::object{{"status", "away"}});
  REQUIRE(first.ok());
  h.room_.fire();
  const auto& diff = h.room_.inbox[h.at(1).id()].at(0).payload;
  const auto& metas = diff.at("joins").at("ann").at("metas").as_array();
  REQUIRE(metas.size() == 1);
  CHECK(metas[0].at("phx_ref") == first.phx_ref.c_str());
  CHECK(json::serialize(diff.at("leaves")) == "{}");
  h.deliver_all();
  h.join(2, "bob");
  auto second = h.presence_.update(h.at(1), "ann", json::object{{"status", "busy"}});
  h.room_.fire();
  const auto& d2 = h.room_.inbox[h.at(1).id()].at(0).payload;
  CHECK(d2.at("leaves").at("ann").at("metas").at(0).at("phx_ref") == first.phx_ref.c_str());
  CHECK(d2.at("joins").at("ann").at("metas").at(0).at("phx_ref") == second.phx_ref.c_str());
  CHECK(d2.at("joins").at("ann").at("metas").at(0).at("phx_ref_prev") == first.phx_ref.c_str());
  h.deliver_all();
  // Key order may differ (the joiner's state lists ann last, after her update): compare refs.
  for (int n : {1, 2}) {
    CHECK(h.client(n).refs() == h.server_refs());
    CHECK(h.client(n).refs().at("ann") == std::set<std::string>{second.phx_ref});
  }
}

TEST_CASE("a duplicate join within one window: one state, for the new join_ref") {
  harness h;
  h.join(1, "ann");
  h.room_.fire();
  h.deliver_all();
  h.join(2, "dan");
  h.join(2, "dan"); // the same connection joins again before the flush
  h.room_.fire();
  const auto& inbox = h.room_.inbox[h.at(2).id()];
  REQUIRE(inbox.size() == 2);
  CHECK(inbox[1].event == "presence_state");
  CHECK(inbox[1].join_ref == h.at(2).join_ref());
  CHECK(inbox[1].payload.at("dan").at("metas").as_array().size() == 1);
  h.deliver_all();
  CHECK(h.client(1).list() == list_t{{"ann", 1}, {"dan", 1}});
  CHECK(h.client(2).list() == list_t{{"ann", 1}, {"dan", 1}});
}

TEST_CASE("a flush by hand sends the window at once and cancels its timer") {
  harness h;
  h.join(1, "ann");
  REQUIRE(h.room_.timers() == 1);
  h.presence_.flush();
  CHECK(h.room_.timers() == 0);
  CHECK(h.events(1) == std::vector<std::string>{"presence_diff", "presence_state"});
  h.join(2, "bob"); // the next change arms a new window
  CHECK(h.room_.timers() == 1);
}

TEST_CASE("above state_limit the window's joiners get no state, but the diff still goes out") {
  harness h{presence_options{.state_limit = 1}};
  h.join(1, "ann");
  h.join(2, "bob");
  h.room_.fire();
  CHECK(h.events(1) == std::vector<std::string>{"presence_diff"});
  CHECK(h.events(2) == std::vector<std::string>{"presence_diff"});
}

TEST_CASE("without batching every change is broadcast at once and the state pushed at once") {
  harness h{presence_options{.batch = std::chrono::milliseconds{0}}};
  h.join(1, "ann");
  CHECK(h.room_.timers() == 0);
  CHECK(h.events(1) == std::vector<std::string>{"presence_diff", "presence_state"});
  h.join(2, "bob");
  CHECK(h.events(1) ==
        std::vector<std::string>{"presence_diff", "presence_state", "presence_diff"});
  h.leave(2);
  CHECK(h.room_.broadcasts == 3);
  h.deliver_all();
  CHECK(h.client(1).list() == list_t{{"ann", 1}});
}

TEST_CASE("random joins, leaves, duplicate joins and updates over many windows: every client "
          "converges to the server's list") {
  std::mt19937 rng{20261202};
  harness h;
  std::map<int, bool> in;
  for (int step = 0; step < 3000; ++step) {
    const int n = static_cast<int>(rng() % 40);
    const auto key = "user" + std::to_string(n % 25); // some keys have several members
    switch (rng() % 6) {
      case 0:
      case 1:
      case 2:
        h.join(n, key); // a join, or a duplicate join of a member that is in
        in[n] = true;
        break;
      case 3:
        if (in[n]) {
          h.leave(n);
          in[n] = false;
        }
        break;
      case 4:
        if (in[n])
          (void)h.presence_.update(h.at(n), key, json::object{{"r", static_cast<int>(rng())}});
        break;
      case 5:
        h.room_.fire();
        h.deliver_all();
        break;
    }
  }
  h.room_.fire();
  h.deliver_all();
  const auto expected = h.server_refs();
  REQUIRE(!expected.empty());
  int checked = 0;
  for (const auto& [n, member_in] : in)
    if (member_in) {
      CHECK(h.client(n).refs() == expected);
      ++checked;
    }
  CHECK(checked > 5);
}

TEST_CASE("shared_push: one V1 frame for all, and V2 frames equal to per-member pushes") {
  const json::value payload = json::object{{"ann", json::object{{"metas", json::array{}}}}};
  const protocol::payload p{payload};
  shared_push frames{"presence:x", "presence_state", p};
  for (const char* ref : {"1", "42", "a\"b"}) {
    const json::value join_ref(ref);
    CHECK(frames.frame_for(protocol::serializer::v2, join_ref)->bytes ==
          make_push_frame(protocol::serializer::v2, join_ref, "presence:x", "presence_state", p)
            ->bytes);
  }
  auto v1a = frames.frame_for(protocol::serializer::v1, json::value("1"));
  auto v1b = frames.frame_for(protocol::serializer::v1, json::value("2"));
  CHECK(v1a == v1b);
  CHECK(v1a->bytes == make_push_frame(protocol::serializer::v1, json::value("1"), "presence:x",
                                      "presence_state", p)
                        ->bytes);
}

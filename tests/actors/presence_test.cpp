#include "actors/behaviour_registry.hpp"
#include "actors/presence.hpp"
#include "js_presence.hpp"

#include <boost/json.hpp>
#include <doctest/doctest.h>

#include <algorithm>
#include <set>
#include <string>
#include <vector>

namespace json = boost::json;
using switchboard::actors::presence_diff;
using switchboard::actors::presence_error;
using switchboard::actors::presence_tracker;
using switchboard::tests::js_presence;

namespace {

presence_tracker make_tracker(std::uint64_t replica = 1) {
  // A frozen clock: uniqueness of phx_refs must not depend on the clock advancing.
  return presence_tracker{replica, [] { return std::uint64_t{1'700'000'000'000'000'000}; }};
}

json::object meta(std::int64_t device) {
  return json::object{{"device", device}};
}

std::vector<std::string> metas_refs(const json::object& group, std::string_view key) {
  std::vector<std::string> out;
  for (const auto& m : group.at(key).at("metas").as_array())
    out.emplace_back(m.at("phx_ref").as_string());
  return out;
}

std::vector<std::string> keys(const json::object& o) {
  std::vector<std::string> out;
  for (const auto& kv : o)
    out.emplace_back(kv.key());
  return out;
}

using list_t = js_presence::list_t;

} // namespace

TEST_CASE("a tracked meta gets a 16-character URL-safe phx_ref and the diff holds its join") {
  auto t = make_tracker();
  auto c = t.track(1, "alice", meta(1));
  REQUIRE(c.ok());
  CHECK(c.phx_ref.size() == 16);
  CHECK(c.phx_ref.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
                                    "0123456789-_") == std::string::npos);
  CHECK(json::serialize(c.diff.to_json()) ==
        R"({"joins":{"alice":{"metas":[{"device":1,"phx_ref":")" + c.phx_ref +
          R"("}]}},"leaves":{}})");
  CHECK(json::serialize(t.list()) ==
        R"({"alice":{"metas":[{"device":1,"phx_ref":")" + c.phx_ref + R"("}]}})");
}

TEST_CASE("a diff always carries both joins and leaves, possibly empty") {
  CHECK(json::serialize(presence_diff{}.to_json()) == R"({"joins":{},"leaves":{}})");
}

TEST_CASE("tracking the same member under the same key twice is already_tracked") {
  auto t = make_tracker();
  REQUIRE(t.track(1, "alice", meta(1)).ok());
  auto again = t.track(1, "alice", meta(2));
  CHECK(again.error == presence_error::already_tracked);
  CHECK(again.diff.empty());
  CHECK(again.phx_ref.empty());
  CHECK(t.size() == 1);
  CHECK(t.find(1, "alice")->at("device") == 1);
  CHECK(t.track(1, "alice-admin", meta(2)).ok()); // another key of the same member is fine
}

TEST_CASE("several members under one key are one key with their metas in tracking order") {
  auto t = make_tracker();
  auto a1 = t.track(10, "alice", meta(1));
  auto b = t.track(20, "bob", meta(1));
  auto a2 = t.track(30, "alice", meta(2));
  auto list = t.list();
  CHECK(keys(list) == std::vector<std::string>{"alice", "bob"});
  CHECK(metas_refs(list, "alice") == std::vector<std::string>{a1.phx_ref, a2.phx_ref});
  CHECK(metas_refs(list, "bob") == std::vector<std::string>{b.phx_ref});
  CHECK(t.key_count() == 2);
  CHECK(t.size() == 3);
}

TEST_CASE("an update is one diff: old meta in leaves, new meta with phx_ref_prev in joins") {
  auto t = make_tracker();
  auto first = t.track(1, "alice", meta(1));
  auto other = t.track(2, "alice", meta(7));
  auto up = t.update(1, "alice", json::object{{"device", 2}, {"phx_ref", "forged"}});
  REQUIRE(up.ok());
  CHECK(up.phx_ref != first.phx_ref);
  const auto& joined = up.diff.joins.at("alice").at("metas").as_array();
  const auto& left = up.diff.leaves.at("alice").at("metas").as_array();
  REQUIRE(joined.size() == 1);
  REQUIRE(left.size() == 1);
  CHECK(joined[0].at("phx_ref") == up.phx_ref.c_str());
  CHECK(joined[0].at("phx_ref_prev") == first.phx_ref.c_str());
  CHECK(joined[0].at("device") == 2);
  CHECK(left[0].at("phx_ref") == first.phx_ref.c_str());
  CHECK(left[0].at("device") == 1);
  // The updated meta moves behind the others, as in presence.js after the diff.
  CHECK(metas_refs(t.list(), "alice") == std::vector<std::string>{other.phx_ref, up.phx_ref});
  CHECK(t.key_count() == 1);
}

TEST_CASE("update and untrack of a presence that is not tracked are not_tracked") {
  auto t = make_tracker();
  REQUIRE(t.track(1, "alice", meta(1)).ok());
  CHECK(t.update(2, "alice", meta(1)).error == presence_error::not_tracked);
  CHECK(t.update(1, "bob", meta(1)).error == presence_error::not_tracked);
  CHECK(t.untrack(1, "bob").error == presence_error::not_tracked);
  auto gone = t.untrack(1, "alice");
  REQUIRE(gone.ok());
  CHECK(keys(gone.diff.leaves) == std::vector<std::string>{"alice"});
  CHECK(gone.diff.joins.empty());
  CHECK(t.untrack(1, "alice").error == presence_error::not_tracked);
  CHECK(t.list().empty());
  CHECK(t.key_count() == 0);
}

TEST_CASE("untrack_all removes only the leaving member's presences, grouped by key") {
  auto t = make_tracker();
  auto a = t.track(1, "alice", meta(1));
  auto a_admin = t.track(1, "admins", meta(1));
  auto a_other_tab = t.track(2, "alice", meta(2));
  auto diff = t.untrack_all(1).diff;
  CHECK(diff.joins.empty());
  CHECK(keys(diff.leaves).size() == 2);
  CHECK(metas_refs(diff.leaves, "alice") == std::vector<std::string>{a.phx_ref});
  CHECK(metas_refs(diff.leaves, "admins") == std::vector<std::string>{a_admin.phx_ref});
  CHECK(keys(t.list()) == std::vector<std::string>{"alice"});
  CHECK(metas_refs(t.list(), "alice") == std::vector<std::string>{a_other_tab.phx_ref});
  CHECK(t.untrack_all(1).diff.empty());
  CHECK(t.untrack_all(99).diff.empty());
}

TEST_CASE("phx_refs are unique within a tracker and across replicas with the same clock") {
  auto t1 = make_tracker(1);
  auto t2 = make_tracker(2);
  std::set<std::string> refs;
  for (std::uint64_t m = 0; m < 500; ++m) {
    refs.insert(t1.track(m, "k", meta(1)).phx_ref);
    refs.insert(t2.track(m, "k", meta(1)).phx_ref);
    refs.insert(t1.update(m, "k", meta(2)).phx_ref);
  }
  CHECK(refs.size() == 1500);
}

TEST_CASE("presence.js follows joins, a second tab, an update and leaves through diffs") {
  auto t = make_tracker();
  js_presence client;
  const int join_ref = 3;
  // Phoenix's order: the joiner's own diff first (queued by the client), then its state.
  auto d1 = t.track(1, "alice", meta(1)).diff.to_json();
  client.on_diff(d1, join_ref);
  client.on_state(t.list(), join_ref);
  CHECK(client.list() == list_t{{"alice", 1}});
  client.on_diff(t.track(2, "bob", meta(1)).diff.to_json(), join_ref);
  client.on_diff(t.track(3, "alice", meta(2)).diff.to_json(), join_ref); // second tab
  CHECK(client.list() == list_t{{"alice", 2}, {"bob", 1}});
  client.on_diff(t.update(2, "bob", meta(5)).diff.to_json(), join_ref);
  CHECK(client.list() == list_t{{"alice", 2}, {"bob", 1}});
  client.on_diff(t.untrack_all(3).diff.to_json(), join_ref); // one tab closes
  CHECK(client.list() == list_t{{"alice", 1}, {"bob", 1}});
  client.on_diff(t.untrack_all(2).diff.to_json(), join_ref);
  CHECK(client.list() == list_t{{"alice", 1}});
  CHECK(client.left_keys == std::vector<std::string>{"bob", "alice", "bob"});
}

TEST_CASE("after a room crash the rejoin into a fresh room resyncs every client's list") {
  // Room A: alice with two tabs (members 1, 2) and bob (member 3); the client is member 1.
  auto room_a = make_tracker(100);
  js_presence client;
  client.on_diff(room_a.track(1, "alice", meta(1)).diff.to_json(), 1);
  client.on_state(room_a.list(), 1);
  client.on_diff(room_a.track(2, "alice", meta(2)).diff.to_json(), 1);
  client.on_diff(room_a.track(3, "bob", meta(1)).diff.to_json(), 1);
  REQUIRE(client.list() == list_t{{"alice", 2}, {"bob", 1}});

  // The room crashes: its tracker is gone with it, nobody gets a leave. Clients get phx_error
  // and rejoin with new join_refs into a fresh room, whose tracker is a new replica. Alice's
  // second tab does not come back; carol joins meanwhile.
  auto room_b = make_tracker(200);
  (void)room_b.track(3, "bob", meta(1));   // rejoins first: the client is not a member yet
  (void)room_b.track(4, "carol", meta(1)); // a newcomer
  client.on_diff(room_b.track(1, "alice", meta(1)).diff.to_json(), 9); // queued: no state yet
  client.on_state(room_b.list(), 9);
  CHECK(client.list() == list_t{{"alice", 1}, {"bob", 1}, {"carol", 1}});

  // Every meta now carries a phx_ref of room B: nothing of room A lingers.
  std::set<std::string> refs_b;
  for (const auto& kv : room_b.list())
    for (const auto& m : kv.value().at("metas").as_array())
      refs_b.insert(std::string{m.at("phx_ref").as_string()});
  CHECK(refs_b.size() == 3);
  client.on_diff(room_b.untrack_all(3).diff.to_json(), 9);
  CHECK(client.list() == list_t{{"alice", 1}, {"carol", 1}});
}

// -- stock broadcast options ---------------------------------------------------------------------

namespace {

std::string broadcast_error(std::string_view toml_text) {
  switchboard::actors::behaviour_registry r;
  switchboard::actors::add_stock_behaviours(r);
  toml::table options = toml::parse(toml_text);
  auto made = (*r.find("broadcast"))(options);
  if (auto* e = std::get_if<std::string>(&made))
    return *e;
  return "";
}

} // namespace

TEST_CASE("broadcast accepts well-formed presence options") {
  CHECK(broadcast_error("presence = true") == "");
  CHECK(broadcast_error(R"(presence = true
presence_key = "user_id"
presence_meta = ["name", "device"]
presence_state_limit = 0
presence_batch_ms = 0)") == "");
  CHECK(broadcast_error("presence = true\npresence_batch_ms = 50") == "");
  CHECK(broadcast_error("presence = false\nexclude_sender = true") == "");
}

TEST_CASE("broadcast rejects ill-typed presence options with the option's name") {
  CHECK(broadcast_error("presence = 1") == "presence: expected a boolean");
  CHECK(broadcast_error("exclude_sender = \"yes\"") == "exclude_sender: expected a boolean");
  CHECK(broadcast_error("presence = true\npresence_key = 3") ==
        "presence_key: expected a non-empty string (a join payload field)");
  CHECK(broadcast_error("presence = true\npresence_key = \"\"") ==
        "presence_key: expected a non-empty string (a join payload field)");
  CHECK(broadcast_error("presence = true\npresence_meta = \"name\"") ==
        "presence_meta: expected an array of join payload field names");
  CHECK(broadcast_error("presence = true\npresence_meta = [\"name\", 2]") ==
        "presence_meta: expected an array of non-empty strings");
  CHECK(broadcast_error("presence = true\npresence_meta = [\"online_at\"]") ==
        "presence_meta: online_at is set by the server");
  CHECK(broadcast_error("presence = true\npresence_meta = [\"phx_ref\"]") ==
        "presence_meta: phx_ref is set by the server");
  CHECK(broadcast_error("presence = true\npresence_state_limit = -1") ==
        "presence_state_limit: expected a non-negative integer (keys)");
  CHECK(broadcast_error("presence = true\npresence_state_limit = 1.5") ==
        "presence_state_limit: expected a non-negative integer (keys)");
  CHECK(broadcast_error("presence = true\npresence_batch_ms = -1") ==
        "presence_batch_ms: expected an integer from 0 to 60000 (milliseconds)");
  CHECK(broadcast_error("presence = true\npresence_batch_ms = 60001") ==
        "presence_batch_ms: expected an integer from 0 to 60000 (milliseconds)");
  CHECK(broadcast_error("presence_batch_ms = 50") ==
        "presence_batch_ms: only valid with presence = true");
  CHECK(broadcast_error("presence_key = \"user_id\"") ==
        "presence_key: only valid with presence = true");
  CHECK(broadcast_error("presence = true\npresence_keys = \"x\"") ==
        "unknown option presence_keys for behaviour broadcast");
}

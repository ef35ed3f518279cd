#pragma once
/// Presence: who is in a room, in the shape phoenix.js's `Presence` class syncs with
/// (docs/protocol.md §4, docs/presence.md).
///
/// Two layers:
/// * `presence_tracker` — the per-room data structure: entries (member, key, meta), diffs, lists.
///   No actor code; unit-testable on its own.
/// * `presence` — what a channel owns: a tracker bound to the room that broadcasts its changes
///   as `presence_diff` and pushes `presence_state`, batched per window (docs/presence.md).
///
/// Replication-ready state (single node for now): every entry is tagged with a dot
/// (replica, counter), `replica` being this tracker's id and `counter` a number it never reuses.
/// Only the owning replica adds or removes its entries, and an entry's identity is its dot, so
/// the state is the observed-remove set of Phoenix.Tracker (docs/protocol.md §4.4): a later
/// replicated tracker gossips the dots added and removed since its last heartbeat plus its
/// context (replica → highest counter) and merges peers' deltas into the same entry map.

#include "actors/member.hpp"
#include "actors/room_context.hpp"

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <unordered_map>
#include <utility>

namespace switchboard::actors {

class basic_channel;

/// Joins and leaves grouped by key: `{"joins": {key: {"metas": [...]}}, "leaves": {...}}`.
struct presence_diff {
  boost::json::object joins;
  boost::json::object leaves;

  [[nodiscard]] bool empty() const noexcept { return joins.empty() && leaves.empty(); }
  void add_join(std::string_view key, boost::json::object meta);
  void add_leave(std::string_view key, boost::json::object meta);
  /// Appends a later diff, so that applying the result equals applying this diff, then `later`.
  /// A leave of a meta this diff joins cancels that join (no client has seen the meta: it
  /// joined and left within one batch); other leaves and all joins are kept, in order.
  void append(presence_diff&& later);
  /// The `presence_diff` payload; both keys are always present.
  [[nodiscard]] boost::json::object to_json() const;
};

enum class presence_error : std::uint8_t {
  none,
  already_tracked, ///< track: this member already has a presence under this key
  not_tracked,     ///< update / untrack: this member has no presence under this key
};

[[nodiscard]] const char* to_string(presence_error e) noexcept;

/// Outcome of a tracker operation. On error nothing changed and the diff is empty.
struct presence_change {
  presence_error error = presence_error::none;
  std::string phx_ref; ///< track / update: the phx_ref of the new meta
  presence_diff diff;

  [[nodiscard]] bool ok() const noexcept { return error == presence_error::none; }
};

/// The presences of one room. Not thread-safe: owned by one room actor.
/// Complexity: track/update/untrack are O(log n); untrack_all is O(k log n) for the member's
/// k presences; list() is O(n) in entries.
class presence_tracker {
public:
  using member_id = std::uint64_t;
  /// Nanoseconds since the epoch; injectable for deterministic tests.
  using clock = std::function<std::uint64_t()>;

  /// `replica` identifies this tracker among replicas (and is hashed into every phx_ref).
  explicit presence_tracker(std::uint64_t replica, clock now = {});

  /// Adds a presence of `member` under `key`. `meta` gets a fresh `phx_ref` (any phx_ref or
  /// phx_ref_prev it carries is replaced). Error already_tracked if (member, key) is tracked.
  presence_change track(member_id member, std::string key, boost::json::object meta);
  /// Replaces the meta of (member, key): the new meta gets a new phx_ref and `phx_ref_prev` = the
  /// old one; the diff has the old meta in leaves and the new one in joins, under the same key.
  presence_change update(member_id member, const std::string& key, boost::json::object meta);
  /// Removes (member, key); the diff has its meta in leaves.
  presence_change untrack(member_id member, const std::string& key);
  /// Removes every presence of `member` (it left the room); never an error, possibly empty.
  presence_change untrack_all(member_id member);

  /// `{key: {"metas": [...]}}`, keys and metas in tracking order (an update moves a meta last).
  [[nodiscard]] boost::json::object list() const;
  /// The meta of (member, key), or nullptr.
  [[nodiscard]] const boost::json::object* find(member_id member, const std::string& key) const;
  [[nodiscard]] std::size_t size() const noexcept { return entries_.size(); }
  [[nodiscard]] std::size_t key_count() const noexcept { return key_counts_.size(); }
  [[nodiscard]] std::uint64_t replica() const noexcept { return replica_; }

private:
  /// Identity of an entry across replicas; ordered by (replica, counter) = tracking order here.
  struct dot {
    std::uint64_t replica;
    std::uint64_t counter;
    friend auto operator<=>(const dot&, const dot&) = default;
  };
  struct entry {
    member_id member;
    std::string key;
    boost::json::object meta;
  };

  dot next_dot() { return {replica_, ++counter_}; }
  std::string make_ref();
  void erase(std::map<dot, entry>::iterator it, presence_diff& diff);

  std::uint64_t replica_;
  std::uint64_t counter_ = 0; ///< the context of this replica: every dot up to it was issued
  clock now_;
  std::uint64_t last_ref_time_ = 0;
  std::map<dot, entry> entries_;
  std::map<std::pair<member_id, std::string>, dot> by_member_;
  std::unordered_map<std::string, std::size_t> key_counts_;
};

/// Options of the channel-level presence.
struct presence_options {
  /// A joiner gets no `presence_state` while the room has more keys than this (docs/protocol.md
  /// §4.1 makes the state O(keys) per join). 10 000 keys is ~700 KB of JSON per state.
  std::size_t state_limit = 10000;
  /// Changes are collected for this long, then sent as one `presence_diff`, followed by one
  /// `presence_state` (built once) for every member that asked for one meanwhile. 0 = every
  /// change is broadcast and every state pushed at once. See docs/presence.md (Batching).
  std::chrono::milliseconds batch{50};
};

/// The presence API for channels: a member of the channel class, e.g. `presence presence_{*this};`.
/// Changes are broadcast to the room as `presence_diff` (one encode per serializer): with
/// `batch` > 0 the changes of one batch window go out together at its end (the flush), followed
/// by the `presence_state` of each member that called push_state during the window, built and
/// encoded once. The flush runs on an internal room timer (room_context::call_after), never
/// through the channel's handle_info; it is armed by the first change of a window.
///
/// Execution context: inside the room actor, from the channel's callbacks only. The channel must
/// call `leave(m)` from its `leave` callback so that a leaving member's presences go away; push
/// the state with `push_state(m)` from `after_join` (never from `join`: the join reply comes
/// first). A crashed room loses its presences with it; rejoining members are tracked anew by
/// the new room's channel.
class presence {
public:
  /// Bound to `owner`'s room (resolved on each call, so it can be a member of the channel).
  explicit presence(const basic_channel& owner, presence_options options = {});
  /// Bound to a given room context (tests, helpers outside a channel).
  explicit presence(room_context& room, presence_options options = {});
  /// Not copyable: a pending flush timer refers to this object.
  presence(const presence&) = delete;
  presence& operator=(const presence&) = delete;

  /// Tracks `m` under `key` and broadcasts the join (at the flush when batching). Returns the
  /// phx_ref ("" and error already_tracked if (m, key) is tracked; nothing is broadcast then).
  presence_change track(const member_base& m, std::string key, boost::json::object meta);
  /// Replaces the meta of (m, key) and broadcasts the leave of the old meta with the join of
  /// the new one in one diff.
  presence_change update(const member_base& m, const std::string& key, boost::json::object meta);
  /// Untracks (m, key) and broadcasts the leave to every member, `m` included.
  presence_change untrack(const member_base& m, const std::string& key);
  /// Untracks every presence of `m`, which is leaving, and broadcasts the leaves to the other
  /// members (the leaving channel gets nothing more, as in Phoenix: a batched diff goes only to
  /// those still members at the flush). Call from `leave`.
  void leave(const member_base& m);

  /// Pushes `presence_state` (the full list) to `m` with its join_ref: at once without
  /// batching, else at the flush, after that window's diff (and only if `m` is still that
  /// member then). Returns false, sending nothing, above `state_limit` keys.
  bool push_state(const member_base& m);
  /// Sends what the current window collected now: the diff, then the states. A no-op when
  /// nothing is pending. The timer calls it; behaviours and tests may too.
  void flush();
  /// Changes collected and not yet broadcast.
  [[nodiscard]] const presence_diff& pending_diff() const noexcept { return pending_; }
  /// Members waiting for a state at the next flush.
  [[nodiscard]] std::size_t pending_states() const noexcept { return state_to_.size(); }
  [[nodiscard]] boost::json::object list() const { return tracker_.list(); }
  [[nodiscard]] const presence_tracker& tracker() const noexcept { return tracker_; }

private:
  room_context& room() const;
  void publish(presence_diff&& diff, const member_base* except);
  bool over_state_limit();
  void arm();
  [[nodiscard]] bool batching() const noexcept { return options_.batch.count() > 0; }

  const basic_channel* owner_ = nullptr;
  room_context* room_ = nullptr;
  presence_options options_;
  presence_tracker tracker_;
  bool warned_limit_ = false;
  presence_diff pending_;
  std::unordered_map<caf::actor_id, boost::json::value> state_to_; ///< member → its join_ref
  bool armed_ = false;
  timer_id flush_timer_ = 0;
  /// Expires with this object, so that a flush timer outliving it does nothing.
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

/// Event names the JS `Presence` class listens to.
inline constexpr const char* presence_state_event = "presence_state";
inline constexpr const char* presence_diff_event = "presence_diff";

} // namespace switchboard::actors

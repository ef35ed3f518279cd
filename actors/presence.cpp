#include "actors/presence.hpp"

#include "actors/channel.hpp"

#include <boost/json/array.hpp>
#include <spdlog/spdlog.h>

#include <array>
#include <chrono>
#include <random>
#include <utility>
#include <vector>

namespace switchboard::actors {

namespace {

namespace json = boost::json;

void add_meta(json::object& group, std::string_view key, json::object meta) {
  auto* entry = group.if_contains(key);
  if (!entry)
    entry = &(group[key] = json::object{{"metas", json::array{}}});
  entry->as_object()["metas"].as_array().emplace_back(std::move(meta));
}

std::uint64_t system_ns() {
  return static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(
                                      std::chrono::system_clock::now().time_since_epoch())
                                      .count());
}

// URL-safe Base64 without padding; 12 bytes make exactly 16 characters.
std::string base64url(const std::array<std::uint8_t, 12>& bytes) {
  static constexpr char alphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::string out;
  out.reserve(16);
  for (std::size_t i = 0; i < bytes.size(); i += 3) {
    const std::uint32_t n = (std::uint32_t{bytes[i]} << 16) | (std::uint32_t{bytes[i + 1]} << 8) |
                            std::uint32_t{bytes[i + 2]};
    for (int shift = 18; shift >= 0; shift -= 6)
      out.push_back(alphabet[(n >> shift) & 0x3f]);
  }
  return out;
}

std::uint64_t random_replica() {
  std::random_device rd;
  return (std::uint64_t{rd()} << 32) ^ rd();
}

} // namespace

void presence_diff::add_join(std::string_view key, json::object meta) {
  add_meta(joins, key, std::move(meta));
}

void presence_diff::add_leave(std::string_view key, json::object meta) {
  add_meta(leaves, key, std::move(meta));
}

void presence_diff::append(presence_diff&& later) {
  // Leaves first: within one change (an update) the leave is of an older meta than the join.
  for (auto& kv : later.leaves) {
    const auto key = kv.key();
    for (auto& meta : kv.value().as_object()["metas"].as_array()) {
      auto* joined = joins.if_contains(key);
      auto* ref = meta.as_object().if_contains("phx_ref");
      bool cancelled = false;
      if (joined && ref) {
        auto& metas = joined->as_object()["metas"].as_array();
        for (auto it = metas.begin(); it != metas.end(); ++it)
          if (const auto* r = it->as_object().if_contains("phx_ref"); r && *r == *ref) {
            metas.erase(it);
            cancelled = true;
            break;
          }
        if (metas.empty())
          joins.erase(key);
      }
      if (!cancelled)
        add_leave(key, std::move(meta.as_object()));
    }
  }
  for (auto& kv : later.joins)
    for (auto& meta : kv.value().as_object()["metas"].as_array())
      add_join(kv.key(), std::move(meta.as_object()));
}

json::object presence_diff::to_json() const {
  return json::object{{"joins", joins}, {"leaves", leaves}};
}

const char* to_string(presence_error e) noexcept {
  switch (e) {
    case presence_error::none: return "none";
    case presence_error::already_tracked: return "already_tracked";
    case presence_error::not_tracked: return "not_tracked";
  }
  return "unknown";
}

// -- presence_tracker ----------------------------------------------------------------------------

presence_tracker::presence_tracker(std::uint64_t replica, clock now)
    : replica_(replica), now_(now ? std::move(now) : clock{system_ns}) {}

std::string presence_tracker::make_ref() {
  // Phoenix's layout: 64-bit time in ns, 16-bit hash of the replica, 16-bit counter. The time
  // never repeats within a tracker (clamped to strictly increasing), so refs are unique even
  // with a coarse or frozen clock.
  auto t = now_();
  t = t > last_ref_time_ ? t : last_ref_time_ + 1;
  last_ref_time_ = t;
  const auto h =
    static_cast<std::uint16_t>(replica_ ^ (replica_ >> 16) ^ (replica_ >> 32) ^ (replica_ >> 48));
  const auto c = static_cast<std::uint16_t>(counter_);
  std::array<std::uint8_t, 12> b{};
  for (int i = 0; i < 8; ++i)
    b[static_cast<std::size_t>(i)] = static_cast<std::uint8_t>(t >> (56 - 8 * i));
  b[8] = static_cast<std::uint8_t>(h >> 8);
  b[9] = static_cast<std::uint8_t>(h);
  b[10] = static_cast<std::uint8_t>(c >> 8);
  b[11] = static_cast<std::uint8_t>(c);
  return base64url(b);
}

presence_change presence_tracker::track(member_id member, std::string key, json::object meta) {
  presence_change out;
  auto [slot, inserted] = by_member_.try_emplace({member, key}, dot{});
  if (!inserted) {
    out.error = presence_error::already_tracked;
    return out;
  }
  slot->second = next_dot();
  out.phx_ref = make_ref();
  meta.erase("phx_ref_prev");
  meta["phx_ref"] = out.phx_ref;
  out.diff.add_join(key, meta);
  ++key_counts_[key];
  entries_.emplace(slot->second, entry{member, std::move(key), std::move(meta)});
  return out;
}

presence_change presence_tracker::update(member_id member, const std::string& key,
                                         json::object meta) {
  presence_change out;
  auto slot = by_member_.find({member, key});
  if (slot == by_member_.end()) {
    out.error = presence_error::not_tracked;
    return out;
  }
  auto old = entries_.extract(slot->second);
  const auto* prev = old.mapped().meta.if_contains("phx_ref");
  meta["phx_ref_prev"] = prev ? *prev : json::value{};
  slot->second = next_dot();
  out.phx_ref = make_ref();
  meta["phx_ref"] = out.phx_ref;
  out.diff.add_leave(key, std::move(old.mapped().meta));
  out.diff.add_join(key, meta);
  entries_.emplace(slot->second, entry{member, key, std::move(meta)});
  return out;
}

void presence_tracker::erase(std::map<dot, entry>::iterator it, presence_diff& diff) {
  auto& e = it->second;
  if (auto count = key_counts_.find(e.key); count != key_counts_.end() && --count->second == 0)
    key_counts_.erase(count);
  by_member_.erase({e.member, e.key});
  diff.add_leave(e.key, std::move(e.meta));
  entries_.erase(it);
}

presence_change presence_tracker::untrack(member_id member, const std::string& key) {
  presence_change out;
  auto slot = by_member_.find({member, key});
  if (slot == by_member_.end()) {
    out.error = presence_error::not_tracked;
    return out;
  }
  erase(entries_.find(slot->second), out.diff);
  return out;
}

presence_change presence_tracker::untrack_all(member_id member) {
  presence_change out;
  // by_member_ is ordered by (member, key): the member's presences are one contiguous range.
  for (auto slot = by_member_.lower_bound({member, std::string{}});
       slot != by_member_.end() && slot->first.first == member;) {
    auto next = std::next(slot);
    erase(entries_.find(slot->second), out.diff); // erases *slot
    slot = next;
  }
  return out;
}

json::object presence_tracker::list() const {
  json::object out;
  for (const auto& [d, e] : entries_)
    add_meta(out, e.key, e.meta);
  return out;
}

const json::object* presence_tracker::find(member_id member, const std::string& key) const {
  auto slot = by_member_.find({member, key});
  return slot == by_member_.end() ? nullptr : &entries_.at(slot->second).meta;
}

// -- presence ------------------------------------------------------------------------------------

presence::presence(const basic_channel& owner, presence_options options)
    : owner_(&owner), options_(options), tracker_(random_replica()) {}

presence::presence(room_context& room, presence_options options)
    : room_(&room), options_(options), tracker_(random_replica()) {}

room_context& presence::room() const {
  return room_ ? *room_ : owner_->room();
}

void presence::publish(presence_diff&& diff, const member_base* except) {
  if (diff.empty())
    return;
  if (batching()) {
    pending_.append(std::move(diff));
    arm();
  } else if (except) {
    room().broadcast_from(*except, presence_diff_event, json::value(diff.to_json()));
  } else {
    room().broadcast(presence_diff_event, json::value(diff.to_json()));
  }
}

void presence::arm() {
  if (armed_)
    return;
  armed_ = true;
  flush_timer_ = room().call_after(options_.batch, [alive = std::weak_ptr<bool>(alive_), this] {
    if (!alive.lock())
      return;
    armed_ = false;
    flush();
  });
}

presence_change presence::track(const member_base& m, std::string key, json::object meta) {
  auto change = tracker_.track(m.id(), std::move(key), std::move(meta));
  publish(presence_diff{change.diff}, nullptr);
  return change;
}

presence_change presence::update(const member_base& m, const std::string& key, json::object meta) {
  auto change = tracker_.update(m.id(), key, std::move(meta));
  publish(presence_diff{change.diff}, nullptr);
  return change;
}

presence_change presence::untrack(const member_base& m, const std::string& key) {
  auto change = tracker_.untrack(m.id(), key);
  publish(presence_diff{change.diff}, nullptr);
  return change;
}

void presence::leave(const member_base& m) {
  if (auto it = state_to_.find(m.id()); it != state_to_.end() && it->second == m.join_ref())
    state_to_.erase(it);
  publish(tracker_.untrack_all(m.id()).diff, &m);
}

bool presence::over_state_limit() {
  if (tracker_.key_count() <= options_.state_limit)
    return false;
  if (!warned_limit_) {
    warned_limit_ = true;
    spdlog::warn("room {}: {} presence keys exceed presence_state_limit {}; joiners get no "
                 "presence_state",
                 room().topic(), tracker_.key_count(), options_.state_limit);
  }
  return true;
}

bool presence::push_state(const member_base& m) {
  if (over_state_limit())
    return false;
  if (!batching()) {
    room().push(m, presence_state_event, json::value(tracker_.list()));
    return true;
  }
  state_to_.insert_or_assign(m.id(), m.join_ref());
  arm();
  return true;
}

void presence::flush() {
  if (armed_) {
    room().cancel_timer(flush_timer_);
    armed_ = false;
  }
  // The diff first: a joiner of this window holds it back until its state arrives, and the
  // state already contains it (docs/presence.md, Batching, explains why every client converges).
  if (!pending_.empty()) {
    auto diff = std::exchange(pending_, presence_diff{});
    room().broadcast(presence_diff_event, json::value(diff.to_json()));
  }
  if (state_to_.empty())
    return;
  auto waiting = std::exchange(state_to_, {});
  if (over_state_limit())
    return;
  std::vector<const member_base*> to;
  to.reserve(waiting.size());
  room().for_each_member([&](member_base& m) {
    if (auto it = waiting.find(m.id()); it != waiting.end() && it->second == m.join_ref())
      to.push_back(&m);
  });
  if (!to.empty())
    room().push_each(to, presence_state_event, json::value(tracker_.list()));
}

} // namespace switchboard::actors

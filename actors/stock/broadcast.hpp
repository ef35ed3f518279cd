#pragma once
/// Stock behaviour `broadcast`: every join is accepted with reply {}; an event E with payload P
/// from a member is broadcast as [null, null, topic, E, P] to every member (excluding the sender
/// with `exclude_sender = true`), then the sender gets an ok reply {}.
///
/// With `presence = true` (docs/presence.md) each member is tracked under the value of the join
/// payload field `presence_key`: strings as they are, numbers stringified. A join whose payload
/// lacks that field (or holds null, "", a boolean, an array or an object there) is refused with
/// {"reason": "missing presence key <presence_key>"}. The meta holds the join payload fields
/// named in `presence_meta` (those present) plus `online_at`, the server time of the join in
/// milliseconds since the epoch. Joins and leaves are collected for `presence_batch_ms` and
/// broadcast as one `presence_diff`, after which that window's joiners get `presence_state`
/// (built once per window; none while the room has more than `presence_state_limit` keys);
/// a leaving member's presence is broadcast as a leave to those still in the room.

#include "actors/channel.hpp"
#include "actors/presence.hpp"

#include <boost/json/object.hpp>
#include <spdlog/fmt/fmt.h>

#include <chrono>
#include <cmath>
#include <optional>
#include <string>
#include <vector>

namespace switchboard::actors::stock {

struct broadcast_options {
  bool exclude_sender = false;            ///< broadcast_from semantics
  bool presence = false;                  ///< track members (docs/protocol.md §4)
  std::string presence_key = "user_id";   ///< join payload field holding the presence key
  std::vector<std::string> presence_meta; ///< join payload fields copied into the meta
  /// Above this many keys joiners get no presence_state (its cost is O(keys) per join).
  std::size_t presence_state_limit = presence_options{}.state_limit;
  /// Batch window of diffs and states; 0 = every change at once.
  std::chrono::milliseconds presence_batch = presence_options{}.batch;
};

/// Per-member state: what the join decided, used once the join reply is out.
struct broadcast_member {
  std::string presence_key;
  boost::json::object presence_meta;
};

class broadcast final : public channel<broadcast_member> {
public:
  explicit broadcast(broadcast_options options)
      : options_(std::move(options)),
        presence_(*this, {options_.presence_state_limit, options_.presence_batch}) {}

  join_result join(std::string_view, const protocol::payload& payload, member_type& m) override {
    if (!options_.presence)
      return join_result::accept();
    const auto* params = std::get_if<boost::json::value>(&payload);
    const auto* fields = params ? params->if_object() : nullptr;
    auto key = fields ? presence_key_of(*fields) : std::nullopt;
    if (!key)
      return join_result::refuse(
        boost::json::object{{"reason", "missing presence key " + options_.presence_key}});
    m.state.presence_key = std::move(*key);
    for (const auto& name : options_.presence_meta)
      if (const auto* v = fields->if_contains(name))
        m.state.presence_meta[name] = *v;
    return join_result::accept();
  }

  void after_join(member_type& m) override {
    if (!options_.presence)
      return;
    auto meta = std::move(m.state.presence_meta);
    meta["online_at"] = std::chrono::duration_cast<std::chrono::milliseconds>(
                          std::chrono::system_clock::now().time_since_epoch())
                          .count();
    // Diff first, then the state (both at the end of the batch window): the order Phoenix
    // produces; presence.js holds the diff back until the state for this join has arrived.
    presence_.track(m, m.state.presence_key, std::move(meta));
    presence_.push_state(m);
  }

  in_result handle_in(std::string_view event, const protocol::payload& payload,
                      member_type& m) override {
    if (options_.exclude_sender)
      room().broadcast_from(m, event, payload);
    else
      room().broadcast(event, payload);
    return in_result::ok();
  }

  void leave(member_type& m, leave_reason) override {
    if (options_.presence)
      presence_.leave(m);
  }

private:
  std::optional<std::string> presence_key_of(const boost::json::object& fields) const {
    const auto* v = fields.if_contains(options_.presence_key);
    if (!v)
      return std::nullopt;
    if (const auto* s = v->if_string(); s && !s->empty())
      return std::string{*s};
    if (const auto* i = v->if_int64())
      return std::to_string(*i);
    if (const auto* u = v->if_uint64())
      return std::to_string(*u);
    if (const auto* d = v->if_double(); d && std::isfinite(*d))
      return fmt::format("{}", *d); // shortest round-trip form, as JavaScript prints it
    return std::nullopt;
  }

  broadcast_options options_;
  presence presence_;
};

} // namespace switchboard::actors::stock

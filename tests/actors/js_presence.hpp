#pragma once
// The presence.js client in C++, for tests that check what clients build from the wire.

#include <boost/json.hpp>

#include <algorithm>
#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

namespace switchboard::tests {

namespace json = boost::json;

/// The client side: a faithful port of phoenix.js 1.8 `Presence.syncState` / `syncDiff` and of
/// the queueing of diffs until the state of the current join has arrived (docs/protocol.md §4.3).
class js_presence {
public:
  void on_state(const json::object& state, int join_ref) {
    join_ref_ = join_ref;
    sync_state(state);
    for (const auto& d : pending_)
      sync_diff(d);
    pending_.clear();
  }
  void on_diff(const json::object& diff, int channel_join_ref) {
    if (join_ref_ != channel_join_ref)
      pending_.push_back(diff);
    else
      sync_diff(diff);
  }
  using list_t = std::vector<std::pair<std::string, std::size_t>>;
  /// key → number of metas, keys in the client's order.
  list_t list() const {
    list_t out;
    for (const auto& kv : state_)
      out.emplace_back(kv.key(), kv.value().at("metas").as_array().size());
    return out;
  }
  /// key → its phx_refs, order-insensitive.
  std::map<std::string, std::set<std::string>> refs() const {
    std::map<std::string, std::set<std::string>> out;
    for (const auto& kv : state_)
      for (const auto& m : kv.value().at("metas").as_array())
        out[std::string(kv.key())].insert(std::string(m.at("phx_ref").as_string()));
    return out;
  }
  std::vector<std::string> left_keys; ///< onLeave calls, in order

private:
  static bool has_ref(const json::array& metas, const json::value& ref) {
    return std::any_of(metas.begin(), metas.end(),
                       [&](const json::value& m) { return m.at("phx_ref") == ref; });
  }
  static json::array without(const json::array& metas, const json::array& refs_from) {
    json::array out;
    for (const auto& m : metas)
      if (!has_ref(refs_from, m.at("phx_ref")))
        out.push_back(m);
    return out;
  }
  void sync_state(const json::object& next) {
    json::object joins, leaves;
    for (const auto& kv : state_)
      if (!next.contains(kv.key()))
        leaves[kv.key()] = kv.value();
    for (const auto& kv : next) {
      const auto* current = state_.if_contains(kv.key());
      if (!current) {
        joins[kv.key()] = kv.value();
        continue;
      }
      const auto& new_metas = kv.value().at("metas").as_array();
      const auto& cur_metas = current->at("metas").as_array();
      auto joined = without(new_metas, cur_metas);
      auto left = without(cur_metas, new_metas);
      if (!joined.empty())
        joins[kv.key()] = json::object{{"metas", joined}};
      if (!left.empty())
        leaves[kv.key()] = json::object{{"metas", left}};
    }
    sync_diff(json::object{{"joins", joins}, {"leaves", leaves}});
  }
  void sync_diff(const json::object& diff) {
    for (const auto& kv : diff.at("joins").as_object()) {
      json::object entry = kv.value().as_object();
      if (const auto* current = state_.if_contains(kv.key())) {
        auto kept = without(current->at("metas").as_array(), entry.at("metas").as_array());
        for (const auto& m : entry.at("metas").as_array())
          kept.push_back(m);
        entry["metas"] = kept;
      }
      state_[kv.key()] = entry;
    }
    for (const auto& kv : diff.at("leaves").as_object()) {
      auto* current = state_.if_contains(kv.key());
      if (!current)
        continue;
      auto& metas = current->as_object()["metas"];
      metas = without(metas.as_array(), kv.value().at("metas").as_array());
      left_keys.push_back(kv.key());
      if (metas.as_array().empty())
        state_.erase(kv.key());
    }
  }

  json::object state_;
  std::vector<json::object> pending_;
  int join_ref_ = 0;
};

} // namespace switchboard::tests

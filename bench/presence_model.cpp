#include "bench/presence_model.hpp"

#include <boost/json/parse.hpp>

#include <algorithm>

namespace switchboard::bench {
namespace json = boost::json;
namespace {

std::vector<std::string> refs_of(const json::value& entry) {
  std::vector<std::string> out;
  const auto* o = entry.if_object();
  const auto* metas = o ? o->if_contains("metas") : nullptr;
  if (!metas || !metas->is_array())
    return out;
  for (const auto& m : metas->get_array())
    if (const auto* mo = m.if_object())
      if (const auto* ref = mo->if_contains("phx_ref"); ref && ref->is_string())
        out.emplace_back(ref->get_string());
  return out;
}

bool parse_object(std::string_view text, json::object& out) {
  boost::system::error_code ec;
  auto v = json::parse(text, ec);
  if (ec || !v.is_object())
    return false;
  out = std::move(v.get_object());
  return true;
}

} // namespace

void presence_model::reset() {
  has_state_ = false;
  pending_.clear();
  refs_.clear();
}

bool presence_model::on_state(std::string_view text) {
  json::object state;
  if (!parse_object(text, state))
    return false;
  // syncState: whatever the new state lacks leaves, the rest is the new state's metas.
  refs_.clear();
  for (const auto& kv : state)
    if (auto refs = refs_of(kv.value()); !refs.empty())
      refs_[std::string(kv.key())] = std::move(refs);
  has_state_ = true;
  for (const auto& d : pending_)
    apply_diff(d);
  pending_.clear();
  return true;
}

bool presence_model::on_diff(std::string_view text) {
  json::object diff;
  if (!parse_object(text, diff))
    return false;
  if (has_state_)
    apply_diff(diff);
  else
    pending_.push_back(std::move(diff));
  return true;
}

void presence_model::apply_diff(const json::object& diff) {
  if (const auto* joins = diff.if_contains("joins"); joins && joins->is_object())
    for (const auto& kv : joins->get_object()) {
      auto joined = refs_of(kv.value());
      auto& current = refs_[std::string(kv.key())];
      std::erase_if(current, [&](const std::string& r) {
        return std::find(joined.begin(), joined.end(), r) != joined.end();
      });
      current.insert(current.end(), joined.begin(), joined.end());
    }
  if (const auto* leaves = diff.if_contains("leaves"); leaves && leaves->is_object())
    for (const auto& kv : leaves->get_object()) {
      auto it = refs_.find(std::string(kv.key()));
      if (it == refs_.end())
        continue;
      const auto left = refs_of(kv.value());
      std::erase_if(it->second, [&](const std::string& r) {
        return std::find(left.begin(), left.end(), r) != left.end();
      });
      if (it->second.empty())
        refs_.erase(it);
    }
}

bool presence_model::one_meta_per_key() const noexcept {
  return std::all_of(refs_.begin(), refs_.end(),
                     [](const auto& kv) { return kv.second.size() == 1; });
}

} // namespace switchboard::bench

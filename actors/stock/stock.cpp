#include "actors/behaviour_registry.hpp"
#include "actors/stock/broadcast.hpp"
#include "actors/stock/echo.hpp"
#include "actors/stock/shootout.hpp"

#include <algorithm>
#include <array>

namespace switchboard::actors {

namespace {

using parse_error = std::optional<std::string>;

parse_error read_bool(const toml::table& options, std::string_view name, bool& out) {
  if (auto node = options.get(name)) {
    // Strict: value<bool>() would also accept the integers 0 and 1.
    auto* value = node->as_boolean();
    if (!value)
      return std::string{name} + ": expected a boolean";
    out = value->get();
  }
  return std::nullopt;
}

// Fields the server writes into every meta itself; copying them from the join would be lost.
constexpr std::array<std::string_view, 3> reserved_meta = {"phx_ref", "phx_ref_prev", "online_at"};

parse_error read_presence(const toml::table& options, stock::broadcast_options& opts) {
  if (auto e = read_bool(options, "presence", opts.presence))
    return e;
  for (auto name : {"presence_key", "presence_meta", "presence_state_limit", "presence_batch_ms"})
    if (!opts.presence && options.contains(name))
      return std::string{name} + ": only valid with presence = true";
  if (auto node = options.get("presence_key")) {
    auto* key = node->as_string();
    if (!key || key->get().empty())
      return std::string{"presence_key: expected a non-empty string (a join payload field)"};
    opts.presence_key = key->get();
  }
  if (auto node = options.get("presence_meta")) {
    auto* fields = node->as_array();
    if (!fields)
      return std::string{"presence_meta: expected an array of join payload field names"};
    for (const auto& field : *fields) {
      auto* name = field.as_string();
      if (!name || name->get().empty())
        return std::string{"presence_meta: expected an array of non-empty strings"};
      if (std::find(reserved_meta.begin(), reserved_meta.end(), name->get()) != reserved_meta.end())
        return "presence_meta: " + name->get() + " is set by the server";
      opts.presence_meta.push_back(name->get());
    }
  }
  if (auto node = options.get("presence_state_limit")) {
    auto limit = node->value<std::int64_t>();
    if (!node->is_integer() || !limit || *limit < 0)
      return std::string{"presence_state_limit: expected a non-negative integer (keys)"};
    opts.presence_state_limit = static_cast<std::size_t>(*limit);
  }
  if (auto node = options.get("presence_batch_ms")) {
    auto ms = node->value<std::int64_t>();
    if (!node->is_integer() || !ms || *ms < 0 || *ms > 60'000)
      return std::string{"presence_batch_ms: expected an integer from 0 to 60000 (milliseconds)"};
    opts.presence_batch = std::chrono::milliseconds{*ms};
  }
  return std::nullopt;
}

std::variant<channel_factory, std::string> make_broadcast(const toml::table& options) {
  if (auto unknown = behaviour_registry::first_unknown_option(
        options, {"exclude_sender", "presence", "presence_key", "presence_meta",
                  "presence_state_limit", "presence_batch_ms"}))
    return "unknown option " + *unknown + " for behaviour broadcast";
  stock::broadcast_options opts;
  if (auto e = read_bool(options, "exclude_sender", opts.exclude_sender))
    return *e;
  if (auto e = read_presence(options, opts))
    return *e;
  return channel_factory{
    [opts](std::string_view) { return std::make_unique<stock::broadcast>(opts); }};
}

} // namespace

void add_stock_behaviours(behaviour_registry& r) {
  r.add("broadcast", make_broadcast);
  r.add<stock::echo>("echo");
  add_shootout_behaviour(r);
}

} // namespace switchboard::actors

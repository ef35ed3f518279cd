#include "actors/behaviour_registry.hpp"
#include "actors/stock/broadcast.hpp"
#include "actors/stock/echo.hpp"

namespace switchboard::actors {

namespace {

std::variant<channel_factory, std::string> make_broadcast(const toml::table& options) {
  if (auto unknown = behaviour_registry::first_unknown_option(
        options, {"exclude_sender", "presence", "presence_key", "presence_meta"}))
    return "unknown option " + *unknown + " for behaviour broadcast";
  stock::broadcast_options opts;
  if (auto node = options.get("exclude_sender")) {
    auto value = node->value<bool>();
    if (!value)
      return std::string{"exclude_sender: expected a boolean"};
    opts.exclude_sender = *value;
  }
  return channel_factory{[opts](std::string_view) { return std::make_unique<stock::broadcast>(opts); }};
}

} // namespace

void add_stock_behaviours(behaviour_registry& r) {
  r.add("broadcast", make_broadcast);
  r.add<stock::echo>("echo");
}

} // namespace switchboard::actors

#pragma once
/// Behaviour names → channel factories, so that routes in the TOML config can name a behaviour
/// and configure it with the rest of their table.

#include "actors/router.hpp"

#include <toml++/toml.h>

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <variant>

namespace switchboard::actors {

/// Validates a route's options and returns the factory of the channels it serves, or an error
/// message naming the offending option (e.g. "exclude_sender: expected a boolean").
using behaviour_maker =
  std::function<std::variant<channel_factory, std::string>(const toml::table& options)>;

class behaviour_registry {
public:
  /// Registers (or replaces) a behaviour under `name`.
  void add(std::string name, behaviour_maker maker) { makers_[std::move(name)] = std::move(maker); }

  /// Registers a channel type whose constructor takes no arguments and that accepts no options.
  template <class Channel>
  void add(std::string name) {
    add(std::move(name),
        [](const toml::table& options) -> std::variant<channel_factory, std::string> {
          if (auto unknown = first_unknown_option(options, {}))
            return "unknown option " + *unknown;
          return channel_factory{[](std::string_view) { return std::make_unique<Channel>(); }};
        });
  }

  [[nodiscard]] const behaviour_maker* find(const std::string& name) const;
  [[nodiscard]] std::vector<std::string> names() const;

  /// The first key of `options` that is neither a route key (pattern, behaviour, on_overflow)
  /// nor in `allowed`.
  [[nodiscard]] static std::optional<std::string>
  first_unknown_option(const toml::table& options, std::initializer_list<std::string_view> allowed);

private:
  std::map<std::string, behaviour_maker, std::less<>> makers_;
};

/// Registers the stock behaviours: broadcast, echo.
void add_stock_behaviours(behaviour_registry& r);

} // namespace switchboard::actors

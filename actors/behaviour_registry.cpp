#include "actors/behaviour_registry.hpp"

#include <algorithm>

namespace switchboard::actors {

const behaviour_maker* behaviour_registry::find(const std::string& name) const {
  auto i = makers_.find(name);
  return i == makers_.end() ? nullptr : &i->second;
}

std::vector<std::string> behaviour_registry::names() const {
  std::vector<std::string> result;
  for (const auto& [name, maker] : makers_)
    result.push_back(name);
  return result;
}

std::optional<std::string>
behaviour_registry::first_unknown_option(const toml::table& options,
                                         std::initializer_list<std::string_view> allowed) {
  static constexpr std::string_view route_keys[] = {"pattern", "behaviour", "on_overflow"};
  for (const auto& [key, value] : options) {
    const std::string_view k = key.str();
    if (std::find(std::begin(route_keys), std::end(route_keys), k) != std::end(route_keys))
      continue;
    if (std::find(allowed.begin(), allowed.end(), k) == allowed.end())
      return std::string{k};
  }
  return std::nullopt;
}

} // namespace switchboard::actors

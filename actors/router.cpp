#include "actors/router.hpp"

namespace switchboard::actors {

std::string router::add(std::string_view pattern, std::string behaviour, channel_factory factory,
                        overflow_policy on_overflow) {
  std::string error;
  auto parsed = protocol::topic_pattern::parse(pattern, error);
  if (!parsed)
    return error;
  routes_.push_back(std::make_shared<const route>(
    route{std::move(*parsed), std::move(behaviour), std::move(factory), on_overflow}));
  return {};
}

std::shared_ptr<const route> router::match(std::string_view topic) const noexcept {
  for (const auto& r : routes_)
    if (r->pattern.matches(topic))
      return r;
  return nullptr;
}

} // namespace switchboard::actors

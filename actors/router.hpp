#pragma once
/// Channel routes: topic patterns mapped to channel factories, first match wins (Phoenix's
/// `channel "room:*", RoomChannel`). Built once at start; immutable and shared by every
/// connection afterwards, so reads need no locking.

#include "actors/channel.hpp"
#include "actors/outbound.hpp"
#include "protocol/topic_pattern.hpp"

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

namespace switchboard::actors {

/// Makes the channel object of one room. Called inside the new room actor.
using channel_factory = std::function<std::unique_ptr<basic_channel>(std::string_view topic)>;

/// The factory of a route in code: every room gets its own `Channel{args...}` (copies of
/// `args`, e.g. a typed options struct), as `srv.route("chat:*", make<chat_room>(options))`.
template <class Channel, class... Args>
[[nodiscard]] channel_factory make(Args... args) {
  static_assert(std::is_base_of_v<basic_channel, Channel>, "a channel derives from channel<S>");
  return [args...](std::string_view) { return std::make_unique<Channel>(args...); };
}

struct route {
  protocol::topic_pattern pattern;
  std::string behaviour; ///< the registered behaviour name, for logs and --print-tree
  channel_factory factory;
  overflow_policy on_overflow = overflow_policy::close;
};

class router {
public:
  /// Appends a route; returns an error message for an invalid pattern, empty string on success.
  [[nodiscard]] std::string add(std::string_view pattern, std::string behaviour,
                                channel_factory factory,
                                overflow_policy on_overflow = overflow_policy::close);

  /// The first route whose pattern matches, or nullptr (the topic is unmatched).
  /// Linear in the number of routes.
  [[nodiscard]] std::shared_ptr<const route> match(std::string_view topic) const noexcept;

  [[nodiscard]] const std::vector<std::shared_ptr<const route>>& routes() const noexcept {
    return routes_;
  }

private:
  std::vector<std::shared_ptr<const route>> routes_;
};

} // namespace switchboard::actors

// switchboard-chat: chat rooms on `chat:*` with nicknames, history, typing indicators and an
// online list. The route option `history` sets how many messages a joiner receives.

#include "chat_channel.hpp"
#include "server/cli.hpp"

namespace {

constexpr std::string_view default_toml = R"toml(
[[routes]]
pattern = "chat:*"
behaviour = "chat"
history = 50
)toml";

namespace sb = switchboard::actors;

/// Validates the route's options (`history`, 0..10000) and makes one chat_room per room.
std::variant<sb::channel_factory, std::string> make_chat(const toml::table& options) {
  if (auto unknown = sb::behaviour_registry::first_unknown_option(options, {"history"}))
    return "unknown option " + *unknown + " for behaviour chat";
  chat_example::chat_options opts;
  if (auto node = options.get("history")) {
    auto n = node->value<std::int64_t>();
    if (!node->is_integer() || !n || *n < 0 || *n > 10000)
      return std::string{"history: expected an integer from 0 to 10000 (messages)"};
    opts.history = static_cast<std::size_t>(*n);
  }
  return sb::channel_factory{
    [opts](std::string_view) { return std::make_unique<chat_example::chat_room>(opts); }};
}

} // namespace

int main(int argc, char** argv) {
  return switchboard::server::run_main(
    argc, argv, {"switchboard-chat", "chat rooms on chat:* topics", default_toml},
    [](switchboard::server::server& srv) { srv.behaviours().add("chat", make_chat); });
}

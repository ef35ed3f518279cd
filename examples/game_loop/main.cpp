// switchboard-game-loop: game rooms on `game:*` that broadcast the world 20 times per second.
// The route option `tick_hz` (1..100) changes the rate.

#include "game_channel.hpp"
#include "server/cli.hpp"

namespace {

constexpr std::string_view default_toml = R"toml(
[[routes]]
pattern = "game:*"
behaviour = "game_loop"
tick_hz = 20
)toml";

namespace sb = switchboard::actors;

std::variant<sb::channel_factory, std::string> make_game(const toml::table& options) {
  if (auto unknown = sb::behaviour_registry::first_unknown_option(options, {"tick_hz"}))
    return "unknown option " + *unknown + " for behaviour game_loop";
  game_example::game_options opts;
  if (auto node = options.get("tick_hz")) {
    auto hz = node->value<std::int64_t>();
    if (!node->is_integer() || !hz || *hz < 1 || *hz > 100)
      return std::string{"tick_hz: expected an integer from 1 to 100 (ticks per second)"};
    opts.tick_hz = static_cast<unsigned>(*hz);
  }
  return sb::channel_factory{
    [opts](std::string_view) { return std::make_unique<game_example::game_loop>(opts); }};
}

} // namespace

int main(int argc, char** argv) {
  return switchboard::server::run_main(
    argc, argv, {"switchboard-game-loop", "game rooms on game:* topics", default_toml},
    [](switchboard::server::server& srv) { srv.behaviours().add("game_loop", make_game); });
}

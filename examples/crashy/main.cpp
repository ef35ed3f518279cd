// switchboard-crashy: the default routes of `switchboard` (room:*, echo:*, presence:*) plus
// `crash:*`, whose channel crashes on request. Same flags as `switchboard`.

#include "crash_channel.hpp"
#include "server/cli.hpp"

#include <string>

namespace {

const std::string default_toml = std::string{switchboard::server::default_config_toml()} + R"toml(
# Crashes on request: events "crash", "fail" and "crash_room", joins with {"crash_join": true}.
[[routes]]
pattern = "crash:*"
behaviour = "crashy"
)toml";

} // namespace

int main(int argc, char** argv) {
  return switchboard::server::run_main(
    argc, argv,
    {"switchboard-crashy", "switchboard plus crash:* topics that crash on request", default_toml},
    [](switchboard::server::server& srv) {
      srv.behaviours().add<crashy_example::crash_channel>("crashy");
    });
}

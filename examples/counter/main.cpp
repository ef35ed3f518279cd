// switchboard-counter: a shared counter per topic (`counter:*`), its state kept in the room.

#include "counter_channel.hpp"
#include "server/cli.hpp"

namespace {

// Keys left out keep the server defaults (docs/configuration.md).
constexpr std::string_view default_toml = R"toml(
[[routes]]
pattern = "counter:*"
behaviour = "counter"
)toml";

} // namespace

int main(int argc, char** argv) {
  return switchboard::server::run_main(
    argc, argv, {"switchboard-counter", "a shared counter per counter:* topic", default_toml},
    [](switchboard::server::server& srv) {
      srv.behaviours().add<counter_example::counter>("counter");
    });
}

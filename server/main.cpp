// The switchboard server binary: the stock behaviours on the embedded default config, or on a
// TOML file, with command-line overrides.

#include "server/cli.hpp"
#include "server/config.hpp"

int main(int argc, char** argv) {
  namespace sb = switchboard::server;
  return sb::run_main(
    argc, argv,
    {"switchboard", "a Phoenix Channels compatible WebSocket server", sb::default_config_toml()});
}

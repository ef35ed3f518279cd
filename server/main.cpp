// The switchboard server binary: the stock behaviours on the embedded default config, or on a
// TOML file, with command-line overrides.

#include "server/config.hpp"
#include "server/server.hpp"

#include <CLI/CLI.hpp>
#include <spdlog/spdlog.h>

#include <iostream>

int main(int argc, char** argv) {
  namespace sb = switchboard::server;
  CLI::App app{"switchboard: a Phoenix Channels compatible WebSocket server"};
  std::string config_path;
  std::optional<std::uint16_t> port;
  std::optional<std::string> host;
  bool print_config = false;
  bool print_tree = false;
  app.add_option("--config", config_path, "TOML configuration file (default: embedded)");
  app.add_option("--port", port, "listen port (0 = ephemeral), overrides the config");
  app.add_option("--host", host, "listen address, overrides the config");
  app.add_flag("--print-config", print_config, "print the effective configuration and exit");
  app.add_flag("--print-tree",
               print_tree, "start on an ephemeral port, print the live supervision tree, and exit");
  CLI11_PARSE(app, argc, argv);

  auto loaded = config_path.empty()
                  ? sb::parse_config(sb::default_config_toml(), "<default>")
                  : sb::load_config_file(config_path);
  if (!loaded.value) {
    std::cerr << "switchboard: " << loaded.error << "\n";
    return 2;
  }
  auto cfg = std::move(*loaded.value);
  if (port)
    cfg.listener.port = *port;
  if (host)
    cfg.listener.host = *host;
  if (print_config) {
    std::cout << sb::to_toml(cfg);
    return 0;
  }
  if (auto level = spdlog::level::from_str(cfg.runtime.log_level); level != spdlog::level::off ||
                                                                    cfg.runtime.log_level == "off")
    spdlog::set_level(level);
  if (print_tree) {
    cfg.listener.port = 0;
    spdlog::set_level(spdlog::level::warn);
    sb::server server{std::move(cfg)};
    if (auto error = server.start(); !error.empty()) {
      std::cerr << "switchboard: " << error << "\n";
      return 1;
    }
    std::cout << server.describe_tree();
    return 0;
  }
  sb::server server{std::move(cfg)};
  return server.run();
}

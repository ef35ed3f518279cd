#include "server/cli.hpp"

#include "server/config.hpp"

#include <CLI/CLI.hpp>
#include <spdlog/spdlog.h>

#include <cstdint>
#include <iostream>
#include <optional>

namespace switchboard::server {

int run_main(int argc, char** argv, const program& p, const std::function<void(server&)>& setup) {
  CLI::App app{p.description, p.name};
  std::string config_path;
  std::optional<std::uint16_t> port;
  std::optional<std::string> host;
  bool print_config = false;
  bool print_tree = false;
  app.add_option("--config", config_path, "TOML configuration file (default: embedded)");
  app.add_option("--port", port, "listen port (0 = ephemeral), overrides the config");
  app.add_option("--host", host, "listen address, overrides the config");
  app.add_flag("--print-config", print_config, "print the effective configuration and exit");
  app.add_flag("--print-tree", print_tree,
               "start on an ephemeral port, print the live supervision tree, and exit");
  CLI11_PARSE(app, argc, argv);

  auto loaded =
    config_path.empty() ? parse_config(p.default_toml, "<default>") : load_config_file(config_path);
  if (!loaded.value) {
    std::cerr << p.name << ": " << loaded.error << "\n";
    return 2;
  }
  auto cfg = std::move(*loaded.value);
  if (port)
    cfg.listener.port = *port;
  if (host)
    cfg.listener.host = *host;
  if (print_config) {
    std::cout << to_toml(cfg);
    return 0;
  }
  if (auto level = spdlog::level::from_str(cfg.runtime.log_level);
      level != spdlog::level::off || cfg.runtime.log_level == "off")
    spdlog::set_level(level);
  if (print_tree) {
    cfg.listener.port = 0;
    spdlog::set_level(spdlog::level::warn);
  }
  server srv{std::move(cfg)};
  if (setup)
    setup(srv);
  if (!print_tree)
    return srv.run();
  if (auto error = srv.start(); !error.empty()) {
    std::cerr << p.name << ": " << error << "\n";
    return 1;
  }
  std::cout << srv.describe_tree();
  return 0;
}

} // namespace switchboard::server

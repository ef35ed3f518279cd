#pragma once
/// The command line every example shares with the `switchboard` binary (server/main.cpp):
/// `--config FILE`, `--port N`, `--host ADDR` and `--print-config`. Header-only, so that an
/// example stays one folder and a copied example needs nothing but the library and CLI11.

#include "server/config.hpp"
#include "server/server.hpp"

#include <CLI/CLI.hpp>
#include <spdlog/spdlog.h>

#include <cstdint>
#include <functional>
#include <iostream>
#include <optional>
#include <string>
#include <string_view>

namespace switchboard::examples {

/// What an example binary is called and what it serves when started without `--config`.
struct program {
  std::string name;              ///< e.g. "switchboard-chat", used in --help and errors
  std::string description;       ///< one line for --help
  std::string_view default_toml; ///< the embedded configuration (routes plus any overrides)
};

/// Parses the flags, loads the configuration (the `--config` file, or `p.default_toml` when there
/// is none), applies `--port`/`--host`, lets `setup` register behaviours and hooks, and runs the
/// server until SIGINT or SIGTERM. Returns the process exit code: 0 after a clean stop, 1 if the
/// server failed to start (unknown behaviour, bad route option, address in use), 2 for a bad
/// command line or configuration. Call it from `main`, once.
inline int run_server(int argc, char** argv, const program& p,
                      const std::function<void(server::server&)>& setup) {
  namespace sb = switchboard::server;
  CLI::App app{p.description, p.name};
  std::string config_path;
  std::optional<std::uint16_t> port;
  std::optional<std::string> host;
  bool print_config = false;
  app.add_option("--config", config_path, "TOML configuration file (default: embedded)");
  app.add_option("--port", port, "listen port (0 = ephemeral), overrides the config");
  app.add_option("--host", host, "listen address, overrides the config");
  app.add_flag("--print-config", print_config, "print the effective configuration and exit");
  CLI11_PARSE(app, argc, argv);

  auto loaded = config_path.empty() ? sb::parse_config(p.default_toml, "<default>")
                                    : sb::load_config_file(config_path);
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
    std::cout << sb::to_toml(cfg);
    return 0;
  }
  if (auto level = spdlog::level::from_str(cfg.runtime.log_level);
      level != spdlog::level::off || cfg.runtime.log_level == "off")
    spdlog::set_level(level);
  sb::server srv{std::move(cfg)};
  setup(srv);
  return srv.run();
}

} // namespace switchboard::examples

#pragma once
/// The command line shared by `switchboard` and every program that embeds it:
/// `--config FILE`, `--port N`, `--host ADDR`, `--print-config`, `--print-tree`.

#include "server/server.hpp"

#include <functional>
#include <string>
#include <string_view>

namespace switchboard::server {

/// What a binary is called and what it serves when started without `--config`.
struct program {
  std::string name;              ///< e.g. "switchboard-chat", used in --help and errors
  std::string description;       ///< one line for --help
  std::string_view default_toml; ///< the embedded configuration
};

/// Parses the flags, loads the configuration (the `--config` file, or `p.default_toml`), applies
/// `--port`/`--host`, lets `setup` register behaviours and hooks, and runs the server until
/// SIGINT or SIGTERM. Returns the process exit code: 0 after a clean stop, 1 if the server failed
/// to start or its root supervisor gave up, 2 for a bad command line or configuration.
/// Call it from `main`, once.
int run_main(int argc, char** argv, const program& p,
             const std::function<void(server&)>& setup = {});

} // namespace switchboard::server

#pragma once
/// A Switchboard server assembled from a config: the actor system, the registry shards, the
/// listener and its I/O threads. Embedding programs build one, register behaviours, and run it:
///
///     switchboard::server::server srv{switchboard::server::default_config()};
///     srv.behaviours().add<my_channel>("mine");   // then route "x:*" to "mine" in the config
///     return srv.run();                            // until SIGINT/SIGTERM
///
/// Thread-safety: construct, configure and run from one thread.

#include "actors/behaviour_registry.hpp"
#include "actors/connect.hpp"
#include "server/config.hpp"

#include <boost/asio/ip/tcp.hpp>
#include <caf/fwd.hpp>

#include <memory>
#include <string>
#include <vector>

namespace switchboard::server {

class server {
public:
  explicit server(config c);
  ~server();
  server(const server&) = delete;
  server& operator=(const server&) = delete;

  /// The behaviours routes can name; holds the stock ones (broadcast, echo) from the start.
  [[nodiscard]] actors::behaviour_registry& behaviours() noexcept { return behaviours_; }
  [[nodiscard]] const config& settings() const noexcept { return config_; }
  /// Routes `pattern` (e.g. "chat:*") to channels made by `factory` (see actors::make), before
  /// start. Routes in code are matched before the config's routes, in the order added; start()
  /// reports an invalid pattern.
  void route(std::string pattern, actors::channel_factory factory,
             actors::overflow_policy on_overflow = actors::overflow_policy::close) {
    code_routes_.push_back({std::move(pattern), std::move(factory), on_overflow});
  }
  /// Installs the socket-level connect hook (before start); the default accepts everyone.
  void set_connect_handler(actors::connect_handler handler) {
    connect_handler_ = std::move(handler);
  }

  /// Builds the routes, starts the actors and binds the listener. Returns an error message
  /// (unknown behaviour, invalid route option, address in use) or an empty string.
  [[nodiscard]] std::string start();
  /// The bound address (after start; the real port when the config asked for port 0).
  [[nodiscard]] boost::asio::ip::tcp::endpoint endpoint() const;
  /// Blocks until SIGINT or SIGTERM (returns true) or until the root supervisor gave up
  /// (returns false).
  bool wait_for_signal();
  /// The live supervision tree as text (after start).
  [[nodiscard]] std::string describe_tree() const;
  /// Graceful stop: stop accepting, close every connection with 1001, stop the rooms.
  /// Idempotent.
  void stop();

  /// start() + wait_for_signal() + stop(); returns a process exit code and logs any error.
  int run();

private:
  struct runtime;
  struct signal_waiter;
  bool wait_for(signal_waiter& waiter);
  std::string build_routes(std::shared_ptr<actors::router>& routes) const;
  std::string describe_tree_of(caf::scoped_actor& self) const;
  struct code_route {
    std::string pattern;
    actors::channel_factory factory;
    actors::overflow_policy on_overflow;
  };
  config config_;
  std::vector<code_route> code_routes_;
  actors::behaviour_registry behaviours_;
  actors::connect_handler connect_handler_;
  std::unique_ptr<runtime> runtime_;
};

} // namespace switchboard::server

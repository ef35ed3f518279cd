#include "server/server.hpp"

#include "actors/connection.hpp"
#include "actors/connections.hpp"
#include "actors/registry.hpp"
#include "net/listener.hpp"

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <caf/all.hpp>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <thread>
#include <vector>

namespace switchboard::server {

namespace asio = boost::asio;

namespace {

std::size_t or_cores(std::size_t n) {
  return n != 0 ? n : std::max(1u, std::thread::hardware_concurrency());
}

caf::actor_system_config make_actor_config(const runtime_config& rt) {
  caf::actor_system_config cfg;
  cfg.set("scheduler.max-threads", or_cores(rt.scheduler_threads));
  cfg.set("logger.verbosity", caf::atom("quiet"));
  return cfg;
}

} // namespace

struct server::runtime {
  explicit runtime(const config& c) : actor_config(make_actor_config(c.runtime)), system(actor_config) {}

  caf::actor_system_config actor_config;
  caf::actor_system system;
  std::vector<caf::actor> shards;
  caf::actor connections;
  asio::io_context ioc;
  asio::executor_work_guard<asio::io_context::executor_type> work{ioc.get_executor()};
  std::vector<std::thread> io_threads;
  net::session_registry sessions;
  net::server_context ctx;
  std::shared_ptr<net::listener> listener;
  bool stopped = false;
};

server::server(config c) : config_(std::move(c)) {
  actors::add_stock_behaviours(behaviours_);
}

server::~server() {
  stop();
}

std::string server::start() {
  auto routes = std::make_shared<actors::router>();
  for (std::size_t i = 0; i < config_.routes.size(); ++i) {
    const auto& rc = config_.routes[i];
    auto where = "routes[" + std::to_string(i) + "] (" + rc.pattern + "): ";
    const auto* maker = behaviours_.find(rc.behaviour);
    if (!maker)
      return where + "unknown behaviour \"" + rc.behaviour + "\"";
    auto made = (*maker)(rc.options);
    if (auto* error = std::get_if<std::string>(&made))
      return where + *error;
    if (auto error = routes->add(rc.pattern, rc.behaviour, std::get<actors::channel_factory>(made),
                                 rc.on_overflow);
        !error.empty())
      return where + error;
  }

  runtime_ = std::make_unique<runtime>(config_);
  auto& rt = *runtime_;
  const auto partitions = or_cores(config_.runtime.registry_partitions
                                     ? config_.runtime.registry_partitions
                                     : or_cores(config_.runtime.scheduler_threads));
  for (std::size_t i = 0; i < partitions; ++i)
    rt.shards.push_back(actors::spawn_registry_shard(
      rt.system, i, actors::room_limits{config_.limits.room_mailbox_limit}));
  rt.connections = actors::spawn_connections(rt.system);

  auto actor_ctx = std::make_shared<actors::connection_context>();
  actor_ctx->routes = std::move(routes);
  actor_ctx->rooms = std::make_shared<actors::registry>(rt.shards);
  actor_ctx->max_channels = config_.limits.max_channels;
  actor_ctx->messages_per_second = config_.limits.messages_per_second;
  actor_ctx->burst = config_.limits.burst;
  actor_ctx->rate_limit_close_after = config_.limits.rate_limit_close_after;

  rt.ctx.system = &rt.system;
  rt.ctx.actors = std::move(actor_ctx);
  rt.ctx.session.max_frame_bytes = config_.limits.max_frame_bytes;
  rt.ctx.session.max_outbound_bytes = config_.limits.max_outbound_bytes;
  rt.ctx.session.idle_timeout = config_.limits.idle_timeout;
  rt.ctx.session.write_timeout = config_.limits.write_timeout;
  rt.ctx.sessions = &rt.sessions;
  rt.ctx.max_connections = config_.limits.max_connections;
  rt.ctx.socket_path = config_.listener.socket_path;
  rt.ctx.handshake_timeout = config_.limits.handshake_timeout;
  rt.ctx.on_connect = connect_handler_;
  rt.ctx.adopt_connection = [connections = rt.connections](const caf::actor& child) {
    caf::anon_send(connections, actors::adopt_atom::value, child);
  };

  try {
    asio::ip::tcp::endpoint ep{asio::ip::make_address(config_.listener.host),
                               config_.listener.port};
    rt.listener = std::make_shared<net::listener>(rt.ioc, ep, rt.ctx);
  } catch (const std::exception& e) {
    return "cannot listen on " + config_.listener.host + ":" +
           std::to_string(config_.listener.port) + ": " + e.what();
  }
  rt.listener->start();
  // The sweep enforces idle and write timeouts to about a quarter of the shorter one.
  auto shortest = config_.limits.write_timeout;
  if (config_.limits.idle_timeout.count() > 0)
    shortest = std::min(shortest, config_.limits.idle_timeout);
  rt.sessions.start_sweeping(rt.ioc, std::clamp(shortest / 4, std::chrono::milliseconds{50},
                                                std::chrono::milliseconds{1000}));
  for (std::size_t i = 0; i < std::max<std::size_t>(1, config_.runtime.io_threads); ++i)
    rt.io_threads.emplace_back([&ioc = rt.ioc] { ioc.run(); });
  auto ep = endpoint();
  spdlog::info("listening on {}:{} (WebSocket endpoint {}/websocket)", ep.address().to_string(),
               ep.port(), config_.listener.socket_path);
  return {};
}

asio::ip::tcp::endpoint server::endpoint() const {
  return runtime_ && runtime_->listener ? runtime_->listener->local_endpoint()
                                        : asio::ip::tcp::endpoint{};
}

void server::wait_for_signal() {
  asio::io_context signals_ioc;
  asio::signal_set signals{signals_ioc, SIGINT, SIGTERM};
  signals.async_wait([](boost::system::error_code, int sig) {
    spdlog::info("received signal {}, shutting down", sig);
  });
  signals_ioc.run();
}

void server::stop() {
  if (!runtime_ || runtime_->stopped)
    return;
  auto& rt = *runtime_;
  rt.stopped = true;
  if (rt.listener)
    rt.listener->stop();
  // Connections first, so that clients see a 1001 close rather than their channels erroring.
  {
    caf::scoped_actor self{rt.system};
    self->send_exit(rt.connections, caf::exit_reason::user_shutdown);
    self->wait_for(rt.connections);
    for (auto& shard : rt.shards)
      self->send_exit(shard, caf::exit_reason::user_shutdown);
    self->wait_for(rt.shards);
  }
  // Sessions whose actor was gone already, and the flush of every close frame.
  rt.sessions.close_all(actors::close_code::going_away, "server shutting down",
                        std::chrono::seconds(3));
  rt.sessions.stop_sweeping();
  rt.work.reset();
  rt.ioc.stop();
  for (auto& t : rt.io_threads)
    t.join();
  rt.listener.reset();
  runtime_.reset();
}

int server::run() {
  if (auto error = start(); !error.empty()) {
    spdlog::error("{}", error);
    return 1;
  }
  wait_for_signal();
  stop();
  return 0;
}

} // namespace switchboard::server

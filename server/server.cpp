#include "server/server.hpp"

#include "actors/connection.hpp"
#include "actors/registry.hpp"
#include "net/listener_actor.hpp"
#include "server/memory_trimmer.hpp"
#include "server/tree.hpp"
#include "supervision/api.hpp"
#include "supervision/exit_reasons.hpp"
#include "supervision/names.hpp"

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <caf/all.hpp>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <atomic>
#include <thread>
#include <vector>

namespace switchboard::server {

namespace asio = boost::asio;
namespace sv = supervision;

namespace {

std::size_t or_cores(std::size_t n) {
  return n != 0 ? n : std::max(1u, std::thread::hardware_concurrency());
}

caf::actor_system_config make_actor_config(const runtime_config& rt) {
  caf::actor_system_config cfg;
  cfg.set("scheduler.max-threads", or_cores(rt.scheduler_threads));
  cfg.set("logger.verbosity", caf::atom("quiet"));
  // CAF's idle workers poll hard before they sleep (thousands of wake-ups per second); a server
  // that mostly waits on sockets spends that CPU for nothing. Enqueues wake sleeping workers.
  cfg.set("work-stealing.aggressive-poll-attempts", 20);
  cfg.set("work-stealing.moderate-poll-attempts", 20);
  cfg.set("work-stealing.moderate-sleep-duration", caf::timespan{std::chrono::microseconds(200)});
  return cfg;
}

void log_report(const sv::report& r) {
  if (r.context == sv::report_context::progress)
    spdlog::debug("{}", sv::to_string(r));
  else
    spdlog::warn("{}", sv::to_string(r));
}

} // namespace

/// Freed memory (closed connections, their queues at their peak) after which a trim pays.
constexpr std::size_t trim_after_released_bytes = 8 * 1024 * 1024;

struct server::runtime {
  explicit runtime(const config& c)
      : actor_config(make_actor_config(c.runtime)), system(actor_config),
        trimmer(c.runtime.memory_trim_interval,
                [this] { return sessions.take_released(trim_after_released_bytes); }) {}

  // Destroyed in reverse order: the actor system (whose destructor waits for every actor, the
  // short-lived ones of net/hand_off.cpp included) goes before the sessions and the io_context
  // those actors may still touch.
  asio::io_context ioc;
  asio::executor_work_guard<asio::io_context::executor_type> work{ioc.get_executor()};
  net::session_registry sessions;
  net::server_context ctx;
  caf::actor_system_config actor_config;
  caf::actor_system system;
  std::vector<std::thread> io_threads;
  sv::supervisor_actor root;
  std::atomic<bool> root_down{false};
  bool stopped = false;
  memory_trimmer trimmer;
};

server::server(config c) : config_(std::move(c)) {
  actors::add_stock_behaviours(behaviours_);
}

server::~server() {
  stop();
}

std::string server::build_routes(std::shared_ptr<actors::router>& routes) const {
  routes = std::make_shared<actors::router>();
  for (const auto& r : code_routes_)
    if (auto error = routes->add(r.pattern, "(code)", r.factory, r.on_overflow); !error.empty())
      return "route " + r.pattern + ": " + error;
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
  return {};
}

std::string server::start() {
  std::shared_ptr<actors::router> routes;
  if (auto error = build_routes(routes); !error.empty())
    return error;

  runtime_ = std::make_unique<runtime>(config_);
  auto& rt = *runtime_;
  const auto& limits = config_.limits;
  const auto partitions =
    or_cores(config_.runtime.registry_partitions ? config_.runtime.registry_partitions
                                                 : or_cores(config_.runtime.scheduler_threads));
  auto actor_ctx = std::make_shared<actors::connection_context>();
  actor_ctx->routes = std::move(routes);
  actor_ctx->rooms = std::make_shared<actors::registry>(rt.system, partitions);
  actor_ctx->limits = limits.connection;

  rt.ctx.session = limits.session;
  rt.ctx.accept = limits.accept;
  rt.ctx.sessions = &rt.sessions;
  rt.ctx.socket_path = config_.listener.socket_path;
  rt.ctx.on_connect = connect_handler_;
  rt.ctx.system = &rt.system;
  rt.ctx.connections_supervisor = connections_name;

  tree_settings ts;
  ts.partitions = partitions;
  ts.room_limits = limits.room;
  ts.on_report = log_report;
  ts.start_connection = actors::connection_starter(actor_ctx);
  ts.start_listener =
    net::listener_starter(rt.ioc, config_.listener.host, config_.listener.port, rt.ctx);

  for (std::size_t i = 0; i < std::max<std::size_t>(1, config_.runtime.io_threads); ++i)
    rt.io_threads.emplace_back([&ioc = rt.ioc] { ioc.run(); });

  auto root = start_tree(rt.system, ts);
  if (!root) {
    auto text = rt.system.render(root.error());
    stop();
    return text;
  }
  rt.root = *root;
  caf::actor_cast<caf::actor>(rt.root)->attach_functor([&flag = rt.root_down] { flag = true; });

  // The sweep enforces idle and write timeouts to about a quarter of the shorter one.
  auto shortest = limits.session.write_timeout;
  if (limits.session.idle_timeout.count() > 0)
    shortest = std::min(shortest, limits.session.idle_timeout);
  rt.sessions.start_sweeping(rt.ioc, std::clamp(shortest / 4, std::chrono::milliseconds{50},
                                                std::chrono::milliseconds{1000}));
  auto ep = endpoint();
  spdlog::info("listening on {}:{} (WebSocket endpoint {}/websocket)", ep.address().to_string(),
               ep.port(), config_.listener.socket_path);
  return {};
}

asio::ip::tcp::endpoint server::endpoint() const {
  if (!runtime_)
    return {};
  auto listener = sv::whereis<net::listener_actor>(runtime_->system, listener_name);
  asio::ip::tcp::endpoint ep;
  if (!listener)
    return ep;
  caf::scoped_actor self{runtime_->system};
  self->request(listener, std::chrono::seconds(5), net::endpoint_request{})
    .receive([&](const asio::ip::tcp::endpoint& bound) { ep = bound; }, [](const caf::error&) {});
  return ep;
}

std::string server::describe_tree() const {
  if (!runtime_)
    return {};
  caf::scoped_actor self{runtime_->system};
  return server::describe_tree_of(self);
}

std::string server::describe_tree_of(caf::scoped_actor& self) const {
  return switchboard::server::describe_tree(self, runtime_->root);
}

struct server::signal_waiter {
  asio::io_context ioc;
  asio::signal_set signals{ioc, SIGINT, SIGTERM};
};

bool server::wait_for_signal() {
  signal_waiter waiter;
  return wait_for(waiter);
}

bool server::wait_for(signal_waiter& waiter) {
  auto& signals_ioc = waiter.ioc;
  auto& signals = waiter.signals;
  bool signalled = false;
  signals.async_wait([&](boost::system::error_code ec, int sig) {
    if (!ec) {
      signalled = true;
      spdlog::info("received signal {}, shutting down", sig);
    }
  });
  while (!signalled && !(runtime_ && runtime_->root_down))
    signals_ioc.run_for(std::chrono::milliseconds(200));
  if (!signalled)
    spdlog::error("the root supervisor gave up (restart intensity reached); exiting");
  return signalled;
}

void server::stop() {
  if (!runtime_ || runtime_->stopped)
    return;
  auto& rt = *runtime_;
  rt.stopped = true;
  if (rt.root) {
    // Reverse start order: the listener stops accepting, every connection closes with 1001,
    // then the rooms stop.
    caf::scoped_actor self{rt.system};
    (void)sv::stop(self, rt.root);
  }
  // Flushes the close frames (and closes any session whose actor was already gone).
  rt.sessions.close_all(actors::close_code::going_away, "server shutting down",
                        std::chrono::seconds(3));
  rt.sessions.stop_sweeping();
  rt.work.reset();
  rt.ioc.stop();
  for (auto& t : rt.io_threads)
    t.join();
  rt.root = sv::supervisor_actor{};
  runtime_.reset();
}

int server::run() {
  // Handlers first: a SIGTERM that arrives as soon as the listening line is out must still
  // stop the server gracefully.
  signal_waiter waiter;
  if (auto error = start(); !error.empty()) {
    spdlog::error("{}", error);
    return 1;
  }
  bool clean = wait_for(waiter);
  stop();
  return clean ? 0 : 1;
}

} // namespace switchboard::server

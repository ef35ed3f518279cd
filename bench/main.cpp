// switchboard-bench: connects many Phoenix Channels clients to a server, drives
// a scenario and reports rates, delivery latency and delivery correctness.

#include "bench/coordinator.hpp"
#include "bench/options.hpp"
#include "bench/report.hpp"
#include "bench/server_probe.hpp"

#include <CLI/CLI.hpp>
#include <boost/json.hpp>
#include <boost/url/parse.hpp>

#include <csignal>
#include <iostream>
#include <sys/resource.h>

namespace switchboard::bench {

const char* to_string(scenario s) {
  switch (s) {
    case scenario::connect: return "connect";
    case scenario::fanout: return "fanout";
    case scenario::rooms: return "rooms";
    case scenario::slow: return "slow";
    case scenario::churn: return "churn";
    case scenario::presence: return "presence";
  }
  return "?";
}

std::string room_topic(const options& o, int r) {
  return o.rooms == 1 ? o.topic : o.topic + ":" + std::to_string(r);
}

std::string resolve(options& o) {
  auto u = boost::urls::parse_uri(o.url);
  if (!u)
    return "--url: not a URL: " + o.url;
  if (u->scheme() != "ws")
    return "--url: only ws:// is supported";
  o.host = std::string(u->host());
  o.port = u->has_port() ? std::string(u->port()) : "80";
  std::string path(u->encoded_path());
  // A base URL (`/socket`) gets the WebSocket transport suffix, as phoenix.js
  // adds it.
  if (path.empty() || path == "/")
    path = "/socket/websocket";
  else if (path.size() < 10 || path.compare(path.size() - 10, 10, "/websocket") != 0)
    path += "/websocket";
  std::string query(u->encoded_query());
  query += std::string(query.empty() ? "" : "&") + (o.vsn == 1 ? "vsn=1.0.0" : "vsn=2.0.0");
  o.target = path + "?" + query;
  if (o.metrics_url.empty())
    o.metrics_url = "http://" + o.host + ":" + o.port + "/metrics";
  if (o.kind == scenario::fanout || o.kind == scenario::slow || o.kind == scenario::churn ||
      o.kind == scenario::presence)
    o.rooms = 1;
  else if (o.rooms <= 0)
    o.rooms = o.kind == scenario::rooms ? std::max(1, o.clients / 10) : 1;
  if (o.workers < 1 || o.clients < 0 || o.publishers < 0 || o.rate < 0 || o.duration <= 0)
    return "--workers must be >= 1; --clients, --publishers, --rate >= 0; "
           "--duration > 0";
  if (o.vsn != 1 && o.vsn != 2)
    return "--vsn must be 1 or 2";
  if (o.kind == scenario::presence &&
      (o.rate <= 0 || o.cycles < 1 || o.sample < 0 || o.request_timeout <= 0 ||
       o.settle_quiet <= 0 || o.settle_max <= 0))
    return "presence: --rate, --join-timeout, --settle-quiet, --settle-max must be > 0, "
           "--cycles >= 1, --sample >= 0";
  return {};
}

} // namespace switchboard::bench

int main(int argc, char** argv) {
  namespace sb = switchboard::bench;
  sb::options o;
  std::string kind = "fanout";
  CLI::App app{"switchboard-bench: load generator for Phoenix Channels servers"};
  const std::vector<std::string> scenarios = {"connect", "fanout", "rooms",
                                              "slow",    "churn",  "presence"};
  app.add_option("scenario", kind, "connect | fanout | rooms | slow | churn | presence")
    ->check(CLI::IsMember(scenarios));
  app.add_option("--scenario", kind, "same as the positional scenario")
    ->check(CLI::IsMember(scenarios));
  app.add_option("--url", o.url, "socket URL, base (/socket) or full (/socket/websocket)")
    ->capture_default_str();
  app.add_option("--vsn", o.vsn, "serializer: 2 (arrays, default) or 1 (objects)");
  app.add_option("--clients", o.clients, "subscribers (churn: cycles in flight at most)")
    ->capture_default_str();
  app.add_option("--topic", o.topic, "topic, or topic prefix for several rooms")
    ->capture_default_str();
  app.add_option("--rate", o.rate, "messages/s per publisher (churn: cycles/s)")
    ->capture_default_str();
  app.add_option("--duration", o.duration, "seconds of publishing or churning")
    ->capture_default_str();
  app.add_option("--payload-bytes", o.payload_bytes, "size of each published payload object")
    ->capture_default_str();
  app.add_option("--publishers", o.publishers, "publishers per room")->capture_default_str();
  app.add_option("--rooms", o.rooms, "rooms (rooms scenario; default clients/10)");
  app.add_option("--slow", o.slow, "subscribers that never read (slow scenario)")
    ->capture_default_str();
  app
    .add_option("--slow-rcvbuf", o.slow_receive_buffer,
                "SO_RCVBUF of the non-readers, bytes (0 = system default)")
    ->capture_default_str();
  app.add_option("--hold", o.hold, "seconds to stay connected and idle (connect scenario)")
    ->capture_default_str();
  app.add_option("--workers", o.workers, "worker processes (about 19,000 connections each)")
    ->capture_default_str();
  app
    .add_option("--source-addrs", o.source_addrs,
                "local addresses to bind, round-robin (e.g. 127.0.0.2,127.0.0.3)")
    ->delimiter(',');
  app.add_option("--server-pid", o.server_pid, "server pid for /proc RSS and CPU readings");
  app.add_option("--metrics-url", o.metrics_url, "default http://<host:port of --url>/metrics");
  app.add_option("--drain", o.drain, "longest wait for in-flight deliveries, seconds")
    ->capture_default_str();
  app.add_option("--connect-concurrency", o.connect_concurrency, "handshakes in flight per worker")
    ->capture_default_str();
  app.add_option("--heartbeat", o.heartbeat, "heartbeat interval, seconds")->capture_default_str();
  app.add_option("--event", o.event, "event name of published messages")->capture_default_str();
  app
    .add_option("--join-payload", o.join_payload,
                "phx_join payload (JSON); {i} = the connection's global index")
    ->capture_default_str();
  app
    .add_option("--cycles", o.cycles,
                "presence: join storms (each further one after a leave "
                "storm)")
    ->capture_default_str();
  app.add_option("--sample", o.sample, "presence: clients whose presence list is checked")
    ->capture_default_str();
  app
    .add_option("--join-timeout", o.request_timeout,
                "presence: seconds before a join or leave counts as timed out")
    ->capture_default_str();
  app
    .add_option("--settle-quiet", o.settle_quiet,
                "presence: seconds without a frame that end a step")
    ->capture_default_str();
  app
    .add_option("--settle-max", o.settle_max,
                "presence: longest wait for quiet after the last request, seconds")
    ->capture_default_str();
  app.add_flag("--json", o.json, "print the result as JSON on stdout");
  bool quiet = false;
  app.add_flag("--quiet", quiet, "no progress line on stderr");
  CLI11_PARSE(app, argc, argv);
  o.progress = !quiet;
  o.kind = kind == "connect"    ? sb::scenario::connect
           : kind == "rooms"    ? sb::scenario::rooms
           : kind == "slow"     ? sb::scenario::slow
           : kind == "churn"    ? sb::scenario::churn
           : kind == "presence" ? sb::scenario::presence
                                : sb::scenario::fanout;
  if (o.kind == sb::scenario::presence) {
    if (app.count("--rate") == 0)
      o.rate = 500;
    if (app.count("--topic") == 0)
      o.topic = "presence:storm";
  }
  if (auto err = sb::resolve(o); !err.empty()) {
    std::cerr << "switchboard-bench: " << err << "\n";
    return 2;
  }
  std::signal(SIGPIPE, SIG_IGN);
  rlimit rl{};
  if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
    rl.rlim_cur = rl.rlim_max;
    setrlimit(RLIMIT_NOFILE, &rl);
  }
  const sb::server_probe probe(o.metrics_url, o.server_pid);

  boost::json::object result;
  bool clean = true;
  auto run = [&](const sb::options& phase_opts, const std::string& label) {
    const auto outcome = sb::run_phase(phase_opts, probe, label);
    auto summary = sb::summarize(phase_opts, outcome);
    clean = clean && outcome.worker_failures.empty() && outcome.merged.fatal.empty();
    if (!o.json)
      std::cout << (label.empty() ? "" : "== " + label + " ==\n") << sb::render_text(summary)
                << std::flush;
    return summary;
  };
  if (o.kind == sb::scenario::slow) {
    sb::options baseline = o;
    baseline.slow = 0;
    result["baseline"] = run(baseline, "baseline (no non-readers)");
    result["with_slow"] = run(o, "with " + std::to_string(o.slow) + " non-readers");
  } else {
    result = run(o, sb::to_string(o.kind));
  }
  if (o.json)
    std::cout << boost::json::serialize(result) << std::endl;
  return clean ? 0 : 1;
}

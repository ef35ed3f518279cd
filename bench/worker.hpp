// One load-generating process: a single-threaded Asio loop driving its share of
// the connections, commanded by the coordinator through a pipe.
#pragma once

#include "bench/options.hpp"
#include "bench/presence_storm.hpp"
#include "bench/results.hpp"
#include "bench/ws_conn.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include <memory>
#include <queue>
#include <string>
#include <vector>

namespace switchboard::bench {

/// Monotonic clock in ns; CLOCK_MONOTONIC is system-wide on Linux, so stamps
/// from different worker processes compare.
[[nodiscard]] std::uint64_t now_ns();

/// Pipe protocol, one line each. Worker -> coordinator: `Y` (every connection
/// joined or failed; presence: connected, then again after each step but the last), `P <joined>
/// <deliveries> <sent> <closes> <errors> <cycles_ok>` once per second, `R <results json>` at the
/// end. Coordinator -> worker: `G <start_ns> <end_ns>` (presence: once per step).
class worker final : public conn_handler {
public:
  worker(const options& o, int index, int control_fd, int report_fd);
  /// Runs until the scenario is over and the result is written; returns the
  /// exit status.
  int run();

private:
  enum class phase { connecting, ready, running, draining, slow_finish, done };
  using due_entry = std::pair<std::uint64_t, ws_conn*>;

  void on_open(ws_conn& c) override;
  void on_text(ws_conn& c, std::string_view text) override;
  void on_closed(ws_conn& c, const close_info& info) override;
  void on_released(ws_conn& c) override;

  void plan();
  ws_conn& add_conn(role kind, int room, std::uint64_t global_index);
  void open_more();
  void start_conn(ws_conn& c);
  void settle_setup(ws_conn& c, bool ok);
  void on_reply(ws_conn& c, const struct incoming& m, std::uint64_t now);
  void on_probe(ws_conn& c, const struct incoming& m, std::uint64_t now);
  void arm_tick();
  void on_tick();
  void read_control();
  void publish_due(std::uint64_t now);
  void churn_due(std::uint64_t now);
  void send_heartbeats();
  void report_progress();
  void finish();
  void write_line(const std::string& line);
  std::string limit_message(const boost::system::error_code& ec) const;

  const options& o_;
  int index_;
  int control_fd_;
  int report_fd_;
  boost::asio::io_context io_;
  boost::asio::steady_timer tick_;
  std::vector<char> rbuf_;
  boost::asio::ip::tcp::endpoint server_;
  std::vector<boost::asio::ip::address> sources_;
  std::vector<std::string> topics_;
  std::vector<std::unique_ptr<ws_conn>> conns_;
  std::vector<ws_conn*> free_; ///< churn connections ready for another cycle
  results res_;
  phase phase_ = phase::connecting;
  std::size_t next_to_open_ = 0;
  std::size_t in_flight_ = 0;
  std::size_t open_now_ = 0;
  std::uint64_t settled_ = 0;
  std::uint64_t started_ns_ = 0;
  std::uint64_t run_start_ns_ = 0;
  std::uint64_t run_end_ns_ = 0;
  std::uint64_t phase_since_ns_ = 0;
  std::uint64_t next_progress_ns_ = 0;
  std::uint64_t next_heartbeat_ns_ = 0;
  std::uint64_t publish_interval_ns_ = 0;
  std::uint64_t next_cycle_ns_ = 0;
  std::uint64_t cycle_interval_ns_ = 0;
  std::size_t churn_active_ = 0;
  std::size_t churn_cap_ = 0;
  std::uint64_t churn_counter_ = 0;
  std::uint64_t next_timeout_scan_ns_ = 0;
  std::string host_header_;
  std::priority_queue<due_entry, std::vector<due_entry>, std::greater<>> due_;
  std::string control_buf_;
  std::string msg_;
  std::string payload_;
  std::uint64_t closes_total_ = 0;
  std::uint64_t errors_total_ = 0;
  std::unique_ptr<presence_storm> storm_; ///< the presence scenario
  int storm_steps_left_ = 0;
};

} // namespace switchboard::bench

// The `presence` scenario: every client joins one presence topic with its own user id at a
// fixed total join rate, and the step ends once the server has gone quiet; optionally everyone
// leaves and joins again. Runs inside one worker, on its thread, over the worker's connections.
#pragma once

#include "bench/histogram.hpp"
#include "bench/options.hpp"
#include "bench/phoenix_codec.hpp"
#include "bench/presence_model.hpp"
#include "bench/ws_conn.hpp"

#include <boost/json/value.hpp>

#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace switchboard::bench {

/// What one step of a storm measured: a join storm or a leave storm. Mergeable across workers.
struct storm_step {
  std::string kind; ///< "join" or "leave"
  std::uint64_t requests = 0;
  std::uint64_t ok = 0;
  std::uint64_t refused = 0;
  std::uint64_t timed_out = 0; ///< no reply within the timeout (phoenix.js then sends phx_leave)
  std::uint64_t late = 0;      ///< replies that came after their timeout
  histogram latency;           ///< request -> reply, ns, answered requests
  std::uint64_t frames = 0;    ///< frames received by every client during the step
  std::uint64_t bytes = 0;     ///< their payload bytes
  std::uint64_t state_frames = 0;
  std::uint64_t state_bytes = 0;
  std::uint64_t diff_frames = 0;
  std::uint64_t diff_bytes = 0;
  std::uint64_t first_request_ns = 0;
  std::uint64_t last_request_ns = 0;
  std::uint64_t last_frame_ns = 0;
  bool settle_capped = false;         ///< still receiving when the wait ended
  std::uint64_t sampled = 0;          ///< join steps: clients whose presence list was rebuilt
  std::uint64_t sampled_complete = 0; ///< ... and held every user exactly once
  std::uint64_t sampled_keys_min = 0;
  std::uint64_t sampled_keys_max = 0;
  std::map<std::string, std::uint64_t> errors;

  void merge(const storm_step& o);
  [[nodiscard]] boost::json::value to_json() const;
  static storm_step from_json(const boost::json::value& v);
};

class presence_storm {
public:
  /// Drives `conns` (this worker's share; global index i joins at start + i / rate).
  presence_storm(const options& o, int workers, std::vector<std::unique_ptr<ws_conn>>& conns);

  /// Steps of the run: join, then (leave, join) for every further cycle.
  [[nodiscard]] int steps() const noexcept { return 1 + 2 * (o_.cycles - 1); }
  void start_step(std::uint64_t start_ns);
  /// Sends what is due, expires requests; true once the current step has settled.
  bool tick(std::uint64_t now);
  /// Every frame a client received (heartbeat replies included; they are skipped here).
  void on_message(ws_conn& c, const incoming& m, std::size_t bytes, std::uint64_t now);
  [[nodiscard]] const std::vector<storm_step>& results() const noexcept { return done_; }

private:
  struct client {
    ws_conn* conn = nullptr;
    std::uint64_t sent_ns = 0;
    bool waiting = false;
    bool expired = false; ///< timed out and no reply seen since
    bool joined = false;
    std::unique_ptr<presence_model> model; ///< sampled clients only
  };

  void send_request(client& cl, std::uint64_t now);
  void on_reply(client& cl, const incoming& m, std::uint64_t now);
  void expire(std::uint64_t now);
  void finish_step();
  [[nodiscard]] bool joining() const noexcept { return step_ % 2 == 0; }
  [[nodiscard]] int cycle() const noexcept { return step_ / 2 + 1; }

  const options& o_;
  int workers_;
  std::vector<client> clients_;
  std::deque<std::size_t> in_flight_; ///< in send order, so the oldest expires first
  int step_ = -1;
  std::uint64_t start_ns_ = 0;
  std::uint64_t interval_ns_ = 0;
  std::size_t next_ = 0;
  std::size_t waiting_ = 0;
  std::string join_ref_;
  std::string msg_;
  storm_step cur_;
  std::vector<storm_step> done_;
};

} // namespace switchboard::bench

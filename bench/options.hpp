// Command-line options of switchboard-bench and the values derived from them.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace switchboard::bench {

/// What a run does; see `bench/README.md` for the meaning of each scenario.
enum class scenario { connect, fanout, rooms, slow, churn, presence };

[[nodiscard]] const char* to_string(scenario s);

/// Everything a run is configured with. Rates are per publisher (churn: cycles
/// per second for the whole run); times are seconds.
struct options {
  scenario kind = scenario::fanout;
  std::string url = "ws://127.0.0.1:4000/socket/websocket";
  int vsn = 2;
  int clients = 1000; ///< subscribers (churn: concurrent cycles at most)
  std::string topic = "room:bench";
  double rate = 10; ///< messages/s per publisher; churn: cycles/s; presence: joins/s (total)
  double duration = 10;
  int payload_bytes = 100;
  int publishers = 1; ///< per room
  int rooms = 0;      ///< 0: 1, or clients/10 for the rooms scenario
  int slow = 0;
  int slow_receive_buffer = 4096; ///< SO_RCVBUF of the non-readers; 0 = system default
  double hold = 0;
  int workers = 1;
  std::vector<std::string> source_addrs;
  int server_pid = 0;
  std::string metrics_url; ///< default: http://<url host:port>/metrics
  bool json = false;
  bool progress = true;
  double drain = 5;              ///< longest wait for in-flight deliveries after the run
  int connect_concurrency = 256; ///< handshakes in flight per worker
  double heartbeat = 30;
  std::string event = "bench";
  /// Payload of every phx_join (raw JSON); each `{i}` becomes the connection's
  /// global index, so `{"user_id":"u{i}"}` gives every connection (and every
  /// churn cycle) its own presence key.
  std::string join_payload = "{}";
  // presence: joins/s come from `rate` (default 500), the topic defaults to presence:storm.
  int cycles = 1;              ///< join storms; each further one follows a leave storm
  int sample = 50;             ///< clients whose presence list is rebuilt and checked
  double request_timeout = 10; ///< a join or leave without reply after this is timed out
  double settle_quiet = 1;     ///< no frame for this long ends a step
  double settle_max = 120;     ///< longest wait for quiet after the last request

  // Derived from `url` by `resolve()`.
  std::string host;
  std::string port;
  std::string target; ///< path and query, vsn included
};

/// Fills the derived fields; returns an error message or an empty string.
[[nodiscard]] std::string resolve(options& o);

/// Topic of room `r`: the topic itself for a single room, `<topic>:<r>`
/// otherwise.
[[nodiscard]] std::string room_topic(const options& o, int r);

} // namespace switchboard::bench

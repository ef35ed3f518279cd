// What one worker measured; the coordinator merges the workers' results into
// one.
#pragma once

#include "bench/histogram.hpp"
#include "bench/presence_storm.hpp"

#include <boost/json/value.hpp>

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace switchboard::bench {

struct results {
  // Connection set-up (connect, upgrade, join).
  std::uint64_t planned = 0;
  std::uint64_t joined = 0;
  std::uint64_t failed = 0;
  std::uint64_t connect_elapsed_ns = 0; ///< worker start to the last join settled
  histogram connect_latency;
  std::map<std::string, std::uint64_t> errors; ///< "what: why" -> count
  std::string fatal;                           ///< a limit that stopped the run early

  // Probe traffic.
  std::uint64_t deliveries = 0; ///< probes received by regular subscribers
  histogram latency;            ///< publish -> receipt, ns
  std::uint64_t publish_ok = 0;
  std::vector<std::uint64_t> sent;      ///< per publisher
  std::vector<std::uint64_t> receivers; ///< per publisher: subscribers of its room
  std::vector<std::uint64_t> unique;    ///< per publisher: distinct probes received
  std::uint64_t duplicates = 0;
  std::uint64_t out_of_order = 0;
  std::uint64_t last_receive_ns = 0;
  std::map<std::string, std::uint64_t> closes; ///< joined connections the server ended

  // Subscribers that never read.
  std::map<std::string, std::uint64_t> slow_outcomes;
  std::uint64_t slow_received = 0;

  // Churn cycles.
  std::uint64_t cycles_started = 0;
  std::uint64_t cycles_ok = 0;
  std::uint64_t cycles_failed = 0;
  std::uint64_t cycles_skipped = 0; ///< due while the concurrency cap was reached
  histogram cycle_latency;

  // Presence storms: one entry per step (join, then leave and join for each further cycle).
  std::vector<storm_step> storm;

  void merge(const results& other);
  [[nodiscard]] boost::json::value to_json() const;
  static results from_json(const boost::json::value& v);
};

} // namespace switchboard::bench

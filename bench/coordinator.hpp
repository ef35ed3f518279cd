// Forks the worker processes of one phase, starts them together, shows progress
// and merges what they measured, with the server-side readings taken around the
// phase.
#pragma once

#include "bench/options.hpp"
#include "bench/results.hpp"
#include "bench/server_probe.hpp"

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace switchboard::bench {

struct phase_outcome {
  results merged;
  std::vector<std::string> worker_failures;
  double setup_seconds = 0;         ///< fork to every worker ready (connections joined)
  double run_seconds = 0;           ///< start signal to the last result (includes the drain)
  std::optional<double> rss_before; ///< before any connection of this phase
  std::optional<double> rss_joined; ///< all joined
  std::optional<double> rss_held;   ///< after `hold` seconds idle
  std::string rss_source;
  std::optional<double> cpu_seconds; ///< server CPU from the start signal to the last result
  std::map<std::string, double> drops_before;
  std::map<std::string, double> drops_after;
};

/// Runs one phase with `o.workers` processes. `label` prefixes the progress
/// line.
[[nodiscard]] phase_outcome run_phase(const options& o, const server_probe& probe,
                                      const std::string& label);

} // namespace switchboard::bench

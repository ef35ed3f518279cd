// Turns merged phase results into the summary printed by the tool: JSON
// (`--json`) or text.
#pragma once

#include "bench/coordinator.hpp"
#include "bench/options.hpp"

#include <boost/json/object.hpp>

#include <string>

namespace switchboard::bench {

/// The figures of one phase. Latencies in ms, rates per second, memory in
/// bytes.
[[nodiscard]] boost::json::object summarize(const options& o, const phase_outcome& p);

/// Human-readable rendering of `summarize`'s result.
[[nodiscard]] std::string render_text(const boost::json::object& summary);

} // namespace switchboard::bench

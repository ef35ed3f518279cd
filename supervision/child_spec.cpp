#include "supervision/child_spec.hpp"

namespace switchboard::supervision {

shutdown_spec effective_shutdown(const child_spec& spec) {
  if (spec.shutdown)
    return *spec.shutdown;
  return spec.type == child_type::supervisor
           ? shutdown_spec::infinity()
           : shutdown_spec::after(std::chrono::milliseconds{5000});
}

std::string to_string(restart_type x) {
  switch (x) {
    case restart_type::permanent: return "permanent";
    case restart_type::transient: return "transient";
    case restart_type::temporary: return "temporary";
  }
  return "?";
}

std::string to_string(child_type x) {
  return x == child_type::worker ? "worker" : "supervisor";
}

std::string to_string(const shutdown_spec& x) {
  switch (x.how) {
    case shutdown_spec::kind::brutal_kill: return "brutal_kill";
    case shutdown_spec::kind::infinity: return "infinity";
    case shutdown_spec::kind::timeout: return std::to_string(x.timeout.count()) + "ms";
  }
  return "?";
}

} // namespace switchboard::supervision

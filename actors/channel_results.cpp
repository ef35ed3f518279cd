#include "actors/channel_results.hpp"

namespace switchboard::actors {

const char* to_string(leave_reason r) noexcept {
  switch (r) {
    case leave_reason::left: return "left";
    case leave_reason::closed: return "closed";
    case leave_reason::duplicate_join: return "duplicate_join";
    case leave_reason::stopped: return "stopped";
    case leave_reason::crashed: return "crashed";
  }
  return "unknown";
}

bool is_graceful_stop(std::string_view reason) noexcept {
  return reason == "normal" || reason == "shutdown" || reason.starts_with("shutdown:");
}

} // namespace switchboard::actors

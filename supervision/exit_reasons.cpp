#include "supervision/exit_reasons.hpp"

#include <caf/atom.hpp>
#include <caf/message.hpp>

namespace switchboard::supervision {

caf::error shutdown_reason() {
  return caf::exit_reason::user_shutdown;
}

caf::error shutdown_reason(std::string why) {
  auto base = shutdown_reason();
  return caf::error{base.code(), base.category(), caf::make_message(std::move(why))};
}

bool is_normal(const caf::error& reason) {
  return !reason || reason == caf::exit_reason::normal;
}

bool is_shutdown(const caf::error& reason) {
  // caf::error compares code and category only, so a context does not matter.
  return reason == caf::exit_reason::user_shutdown;
}

bool is_abnormal(const caf::error& reason) {
  return !is_normal(reason) && !is_shutdown(reason);
}

bool should_restart(restart_type type, const caf::error& reason) {
  switch (type) {
    case restart_type::permanent: return true;
    case restart_type::transient: return is_abnormal(reason);
    case restart_type::temporary: return false;
  }
  return false;
}

} // namespace switchboard::supervision

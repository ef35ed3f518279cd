#include "supervision/supervisor_flags.hpp"

namespace switchboard::supervision {

std::string to_string(restart_strategy x) {
  switch (x) {
    case restart_strategy::one_for_one: return "one_for_one";
    case restart_strategy::one_for_all: return "one_for_all";
    case restart_strategy::rest_for_one: return "rest_for_one";
    case restart_strategy::simple_one_for_one: return "simple_one_for_one";
  }
  return "?";
}

std::string to_string(auto_shutdown_mode x) {
  switch (x) {
    case auto_shutdown_mode::never: return "never";
    case auto_shutdown_mode::any_significant: return "any_significant";
    case auto_shutdown_mode::all_significant: return "all_significant";
  }
  return "?";
}

} // namespace switchboard::supervision

#include "supervision/errors.hpp"

#include <caf/actor_system_config.hpp>
#include <caf/message.hpp>

namespace switchboard::supervision {

std::string to_string(sup_error x) {
  switch (x) {
    case sup_error::missing_id: return "missing_id";
    case sup_error::duplicate_id: return "duplicate_id";
    case sup_error::missing_start: return "missing_start";
    case sup_error::bad_combination: return "bad_combination";
    case sup_error::invalid_shutdown: return "invalid_shutdown";
    case sup_error::dynamic_needs_one_spec: return "dynamic_needs_one_spec";
    case sup_error::invalid_intensity: return "invalid_intensity";
    case sup_error::invalid_period: return "invalid_period";
    case sup_error::bad_start_result: return "bad_start_result";
    case sup_error::failed_to_start_child: return "failed_to_start_child";
    case sup_error::not_found: return "not_found";
    case sup_error::running: return "running";
    case sup_error::restarting: return "restarting";
    case sup_error::already_present: return "already_present";
    case sup_error::already_started: return "already_started";
    case sup_error::simple_one_for_one: return "simple_one_for_one";
    case sup_error::not_simple_one_for_one: return "not_simple_one_for_one";
  }
  return "unknown_sup_error";
}

caf::error make_error(sup_error x) {
  return caf::error{static_cast<uint8_t>(x), error_category};
}

caf::error make_error(sup_error x, std::string context) {
  return caf::error{static_cast<uint8_t>(x), error_category, caf::make_message(std::move(context))};
}

caf::error failed_to_start_child(const std::string& id, caf::error reason) {
  return caf::error{static_cast<uint8_t>(sup_error::failed_to_start_child), error_category,
                    caf::make_message(id, std::move(reason))};
}

std::optional<std::pair<std::string, caf::error>> failed_child(const caf::error& x) {
  if (x.category() != error_category ||
      x.code() != static_cast<uint8_t>(sup_error::failed_to_start_child) ||
      !x.context().match_elements<std::string, caf::error>())
    return std::nullopt;
  return std::make_pair(x.context().get_as<std::string>(0), x.context().get_as<caf::error>(1));
}

namespace {

std::string render(uint8_t code, const caf::message& context) {
  std::string out = "supervisor:" + to_string(static_cast<sup_error>(code));
  if (context.match_elements<std::string, caf::error>()) { // failed_to_start_child
    // append(), not operator+ chains: GCC 12 warns falsely (-Wrestrict) on those.
    out.append("(\"").append(context.get_as<std::string>(0)).append("\", ");
    out.append(describe(context.get_as<caf::error>(1))).append(")");
    return out;
  }
  if (!context.empty())
    out += caf::to_string(context);
  return out;
}

} // namespace

std::string describe(const caf::error& x) {
  if (!x)
    return "normal";
  if (x.category() == error_category)
    return render(x.code(), x.context());
  return caf::to_string(x);
}

void register_error_category(caf::actor_system_config& cfg) {
  cfg.add_error_category(error_category, [](uint8_t code, caf::atom_value,
                                            const caf::message& ctx) { return render(code, ctx); });
}

} // namespace switchboard::supervision

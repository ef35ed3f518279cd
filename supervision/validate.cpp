#include "supervision/validate.hpp"

#include <unordered_set>

#include "supervision/errors.hpp"

namespace switchboard::supervision {

caf::error validate_child_spec(const child_spec& spec, auto_shutdown_mode auto_shutdown) {
  if (spec.id.empty())
    return make_error(sup_error::missing_id);
  if (!spec.start)
    return make_error(sup_error::missing_start, spec.id);
  // OTP validSignificant/3 checks auto_shutdown first.
  if (spec.significant && auto_shutdown == auto_shutdown_mode::never)
    return make_error(sup_error::bad_combination,
                      spec.id + ": auto_shutdown=never,significant=true");
  if (spec.significant && spec.restart == restart_type::permanent)
    return make_error(sup_error::bad_combination, spec.id + ": restart=permanent,significant=true");
  if (spec.shutdown && spec.shutdown->how == shutdown_spec::kind::timeout &&
      spec.shutdown->timeout.count() < 0)
    return make_error(sup_error::invalid_shutdown, spec.id);
  return {};
}

caf::error validate(const supervisor_flags& flags, const std::vector<child_spec>& specs) {
  if (flags.intensity < 0)
    return make_error(sup_error::invalid_intensity, std::to_string(flags.intensity));
  if (flags.period.count() <= 0)
    return make_error(sup_error::invalid_period, std::to_string(flags.period.count()) + "ms");
  if (flags.strategy == restart_strategy::simple_one_for_one && specs.size() != 1)
    return make_error(sup_error::dynamic_needs_one_spec, std::to_string(specs.size()));
  std::unordered_set<std::string> ids;
  for (const auto& spec : specs) {
    if (auto err = validate_child_spec(spec, flags.auto_shutdown))
      return err;
    if (!ids.insert(spec.id).second)
      return make_error(sup_error::duplicate_id, spec.id);
  }
  return {};
}

} // namespace switchboard::supervision

#include "supervision/detail/start.hpp"

#include <exception>

#include <caf/sec.hpp>

#include "supervision/errors.hpp"

namespace switchboard::supervision::detail {

caf::expected<spawned_child> run_start(const child_spec& spec, caf::actor_system& sys,
                                       const caf::message& args) {
  try {
    auto result = spec.start(sys, args);
    if (result.ignored())
      return spawned_child{};
    if (auto err = result.error())
      return *err ? *err : make_error(sup_error::bad_start_result, spec.id);
    if (auto child = result.child(); child && *child)
      return spawned_child{*child, result.awaits_init_ack()};
    return make_error(sup_error::bad_start_result, spec.id);
  } catch (const std::exception& ex) {
    return caf::make_error(caf::sec::runtime_error, std::string{ex.what()});
  } catch (...) {
    return caf::make_error(caf::sec::runtime_error, std::string{"unknown exception"});
  }
}

offender_info make_offender(const child_spec& spec, const caf::actor& child) {
  return {spec.id,      child ? child.id() : caf::actor_id{0},
          spec.restart, effective_shutdown(spec),
          spec.type,    spec.significant};
}

} // namespace switchboard::supervision::detail

#include "supervision/supervisor.hpp"

#include <caf/actor_cast.hpp>
#include <caf/actor_system.hpp>

#include "supervision/detail/start.hpp"
#include "supervision/detail/supervisor_impl.hpp"
#include "supervision/errors.hpp"
#include "supervision/validate.hpp"

namespace switchboard::supervision {

caf::expected<supervisor_actor> start_supervisor(caf::actor_system& sys, supervisor_flags flags,
                                                 std::vector<child_spec> children,
                                                 supervisor_options options) {
  if (auto err = validate(flags, children))
    return err;
  if (options.name.empty())
    options.name = "supervisor";
  detail::supervisor_init init{flags, {}, {}, std::move(options), {}};
  if (flags.strategy == restart_strategy::simple_one_for_one) {
    init.dynamic_spec = std::move(children.front());
  } else {
    // OTP init/1: start in order; the first failure aborts and stops the others.
    for (auto& spec : children) {
      auto started = detail::run_start(spec, sys, caf::message{});
      if (!started) {
        emit_report(init.options.on_report, report{init.options.name, report_context::start_error,
                                                   started.error(),
                                                   detail::make_offender(spec, nullptr)});
        init.abort_reason = caf::error{static_cast<uint8_t>(sup_error::failed_to_start_child),
                                       error_category,
                                       caf::make_message(spec.id, describe(started.error()))};
        break;
      }
      if (!*started && spec.restart == restart_type::temporary)
        continue;
      if (*started)
        emit_report(init.options.on_report,
                    report{init.options.name, report_context::progress, {},
                           detail::make_offender(spec, *started)});
      init.children.push_back({std::move(spec), std::move(*started), false});
    }
  }
  auto abort_reason = init.abort_reason;
  auto sup = sys.spawn<detail::supervisor_impl>(std::move(init));
  if (abort_reason)
    return abort_reason;
  return caf::actor_cast<supervisor_actor>(sup);
}

child_spec supervisor_child(std::string id, supervisor_flags flags, std::vector<child_spec> children,
                            supervisor_options options) {
  child_spec spec;
  spec.id = std::move(id);
  spec.type = child_type::supervisor;
  spec.start = [flags, children = std::move(children),
                options = std::move(options)](caf::actor_system& sys, const caf::message&) {
    auto sup = start_supervisor(sys, flags, children, options);
    if (!sup)
      return start_result{std::move(sup.error())};
    return start_result{*sup};
  };
  return spec;
}

} // namespace switchboard::supervision

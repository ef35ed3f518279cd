#include "supervision/supervisor.hpp"

#include <caf/actor_cast.hpp>
#include <caf/actor_system.hpp>
#include <caf/scoped_actor.hpp>
#include <caf/system_messages.hpp>

#include "supervision/detail/supervisor_impl.hpp"
#include "supervision/errors.hpp"
#include "supervision/validate.hpp"

namespace switchboard::supervision {

caf::expected<supervisor_actor> start_supervisor(caf::actor_system& sys, supervisor_flags flags,
                                                 std::vector<child_spec> children,
                                                 supervisor_options options) {
  if (auto err = validate(flags, children))
    return err;
  auto sup = detail::spawn_supervisor(sys, {flags, std::move(children), std::move(options), true});
  // OTP start_link returns once init/1 is over. A supervisor whose start failed answers with
  // the reason or, if it was gone before the question arrived, exits with it.
  caf::scoped_actor self{sys};
  self->monitor(sup);
  caf::error failure;
  bool answered = false;
  self->request(sup, caf::infinite, init_ack_atom::value)
    .receive([&](ok_atom) { answered = true; },
             [&](caf::error& err) {
               if (err != caf::sec::request_receiver_down) {
                 failure = std::move(err);
                 answered = true;
               }
             });
  if (!answered) {
    self->receive([&](caf::down_msg& msg) {
      failure = msg.reason ? msg.reason : caf::make_error(caf::sec::request_receiver_down);
    });
  }
  self->demonitor(sup);
  if (failure)
    return failure;
  return caf::actor_cast<supervisor_actor>(sup);
}

child_spec supervisor_child(std::string id, supervisor_flags flags,
                            std::vector<child_spec> children, supervisor_options options) {
  child_spec spec;
  spec.id = std::move(id);
  spec.type = child_type::supervisor;
  spec.start = [flags, children = std::move(children),
                options = std::move(options)](caf::actor_system& sys, const caf::message&) {
    if (auto err = validate(flags, children))
      return start_result{std::move(err)};
    auto sup = detail::spawn_supervisor(sys, {flags, children, options, false});
    return start_result::with_init_ack(std::move(sup));
  };
  return spec;
}

} // namespace switchboard::supervision

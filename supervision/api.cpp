#include "supervision/api.hpp"

#include <caf/sec.hpp>
#include <caf/system_messages.hpp>

namespace switchboard::supervision {

namespace {

template <class T, class... Ts>
caf::expected<T> call(caf::scoped_actor& self, const supervisor_actor& sup, caf::duration timeout,
                      Ts&&... xs) {
  caf::expected<T> result{caf::make_error(caf::sec::invalid_argument)};
  self->request(sup, timeout, std::forward<Ts>(xs)...)
    .receive([&](T& value) { result = std::move(value); },
             [&](caf::error& err) { result = std::move(err); });
  return result;
}

caf::error to_error(caf::expected<ok_atom> x) {
  return x ? caf::error{} : std::move(x.error());
}

} // namespace

caf::expected<caf::actor> start_child(caf::scoped_actor& self, const supervisor_actor& sup,
                                      child_spec spec, caf::duration timeout) {
  return call<caf::actor>(self, sup, timeout, start_child_atom::value, std::move(spec));
}

caf::expected<caf::actor> start_child(caf::scoped_actor& self, const supervisor_actor& sup,
                                      caf::message args, caf::duration timeout) {
  return call<caf::actor>(self, sup, timeout, start_child_atom::value, start_args{std::move(args)});
}

caf::error terminate_child(caf::scoped_actor& self, const supervisor_actor& sup,
                           const std::string& id, caf::duration timeout) {
  return to_error(call<ok_atom>(self, sup, timeout, terminate_child_atom::value, id));
}

caf::error terminate_child(caf::scoped_actor& self, const supervisor_actor& sup,
                           const caf::actor& child, caf::duration timeout) {
  return to_error(call<ok_atom>(self, sup, timeout, terminate_child_atom::value, child));
}

caf::expected<caf::actor> restart_child(caf::scoped_actor& self, const supervisor_actor& sup,
                                        const std::string& id, caf::duration timeout) {
  return call<caf::actor>(self, sup, timeout, restart_child_atom::value, id);
}

caf::error delete_child(caf::scoped_actor& self, const supervisor_actor& sup, const std::string& id,
                        caf::duration timeout) {
  return to_error(call<ok_atom>(self, sup, timeout, delete_child_atom::value, id));
}

caf::expected<std::vector<child_info>>
which_children(caf::scoped_actor& self, const supervisor_actor& sup, caf::duration timeout) {
  return call<std::vector<child_info>>(self, sup, timeout, which_children_atom::value);
}

caf::expected<child_counts> count_children(caf::scoped_actor& self, const supervisor_actor& sup,
                                           caf::duration timeout) {
  return call<child_counts>(self, sup, timeout, count_children_atom::value);
}

caf::expected<child_spec> get_childspec(caf::scoped_actor& self, const supervisor_actor& sup,
                                        const std::string& id, caf::duration timeout) {
  return call<child_spec>(self, sup, timeout, get_childspec_atom::value, id);
}

caf::expected<supervisor_flags> get_flags(caf::scoped_actor& self, const supervisor_actor& sup,
                                          caf::duration timeout) {
  return call<supervisor_flags>(self, sup, timeout, get_flags_atom::value);
}

caf::error stop(caf::scoped_actor& self, const supervisor_actor& sup, caf::error reason,
                caf::duration timeout) {
  if (!sup)
    return {};
  self->monitor(sup);
  self->send(sup, stop_atom::value, std::move(reason));
  caf::error result;
  bool done = false;
  self->receive_while([&] { return !done; })(
    [&](caf::down_msg& msg) { done = msg.source == sup.address(); },
    [&](ok_atom) {}, // the answer arrives just before the down_msg
    [&](caf::error&) {},
    caf::after(timeout) >>
      [&] {
        result = caf::make_error(caf::sec::request_timeout);
        done = true;
      });
  self->demonitor(sup.address());
  return result;
}

} // namespace switchboard::supervision

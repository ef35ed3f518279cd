#pragma once

#include <string>
#include <utility>
#include <vector>

#include <caf/duration.hpp>
#include <caf/error.hpp>
#include <caf/event_based_actor.hpp>
#include <caf/expected.hpp>
#include <caf/scoped_actor.hpp>

#include "supervision/exit_reasons.hpp"
#include "supervision/protocol.hpp"

/// Calls on a running supervisor, in two flavours with the same names (OTP's supervisor
/// module functions):
/// - blocking, taking a `caf::scoped_actor&`: for main(), tests and examples; never call them
///   inside an event-based actor. Errors come back as values (`sup_error`, start errors, or
///   `caf::sec::request_timeout` after `timeout`).
/// - asynchronous, taking a `caf::event_based_actor*`: they send the request and return its
///   response handle; attach `.then(on_value, on_error)`. Run inside that actor.
namespace switchboard::supervision {

// -- blocking ------------------------------------------------------------------------------

/// Adds and starts a child of a static supervisor. The value is invalid when ignored.
caf::expected<caf::actor> start_child(caf::scoped_actor& self, const supervisor_actor& sup,
                                      child_spec spec, caf::duration timeout = caf::infinite);

/// Starts a dynamic child of a simple_one_for_one supervisor with extra `args`.
caf::expected<caf::actor> start_child(caf::scoped_actor& self, const supervisor_actor& sup,
                                      caf::message args, caf::duration timeout = caf::infinite);

/// Stops a child by id; returns an empty error on success.
caf::error terminate_child(caf::scoped_actor& self, const supervisor_actor& sup,
                           const std::string& id, caf::duration timeout = caf::infinite);

/// Stops a child by handle (the way to stop one dynamic child).
caf::error terminate_child(caf::scoped_actor& self, const supervisor_actor& sup,
                           const caf::actor& child, caf::duration timeout = caf::infinite);

/// Starts a stopped static child again.
caf::expected<caf::actor> restart_child(caf::scoped_actor& self, const supervisor_actor& sup,
                                        const std::string& id,
                                        caf::duration timeout = caf::infinite);

/// Removes the spec of a stopped static child; returns an empty error on success.
caf::error delete_child(caf::scoped_actor& self, const supervisor_actor& sup, const std::string& id,
                        caf::duration timeout = caf::infinite);

/// The children: static ones in start order, dynamic ones in no particular order. O(n).
caf::expected<std::vector<child_info>> which_children(caf::scoped_actor& self,
                                                      const supervisor_actor& sup,
                                                      caf::duration timeout = caf::infinite);

/// Specs, running children, supervisors and workers.
caf::expected<child_counts> count_children(caf::scoped_actor& self, const supervisor_actor& sup,
                                           caf::duration timeout = caf::infinite);

/// The child spec with this id (for simple_one_for_one: the id of its one spec).
caf::expected<child_spec> get_childspec(caf::scoped_actor& self, const supervisor_actor& sup,
                                        const std::string& id,
                                        caf::duration timeout = caf::infinite);

/// The supervisor's flags.
caf::expected<supervisor_flags> get_flags(caf::scoped_actor& self, const supervisor_actor& sup,
                                          caf::duration timeout = caf::infinite);

/// Stops `sup` in order (children in reverse start order) and waits until it has exited
/// with `reason` (OTP gen_server:stop/3). Empty error once it is gone (also when it was gone
/// already), request_timeout after `timeout`.
caf::error stop(caf::scoped_actor& self, const supervisor_actor& sup,
                caf::error reason = shutdown_reason(), caf::duration timeout = caf::infinite);

// -- asynchronous, inside an event-based actor ----------------------------------------------
// Same contracts as above; each returns the response handle of the request. Values arrive
// as caf::actor, ok_atom, std::vector<child_info> or child_counts; errors as caf::error.

inline auto start_child(caf::event_based_actor* self, const supervisor_actor& sup, child_spec spec,
                        caf::duration timeout = caf::infinite) {
  return self->request(sup, timeout, start_child_atom::value, std::move(spec));
}

inline auto start_child(caf::event_based_actor* self, const supervisor_actor& sup,
                        caf::message args, caf::duration timeout = caf::infinite) {
  return self->request(sup, timeout, start_child_atom::value, start_args{std::move(args)});
}

inline auto terminate_child(caf::event_based_actor* self, const supervisor_actor& sup,
                            std::string id, caf::duration timeout = caf::infinite) {
  return self->request(sup, timeout, terminate_child_atom::value, std::move(id));
}

inline auto terminate_child(caf::event_based_actor* self, const supervisor_actor& sup,
                            caf::actor child, caf::duration timeout = caf::infinite) {
  return self->request(sup, timeout, terminate_child_atom::value, std::move(child));
}

inline auto restart_child(caf::event_based_actor* self, const supervisor_actor& sup, std::string id,
                          caf::duration timeout = caf::infinite) {
  return self->request(sup, timeout, restart_child_atom::value, std::move(id));
}

inline auto delete_child(caf::event_based_actor* self, const supervisor_actor& sup, std::string id,
                         caf::duration timeout = caf::infinite) {
  return self->request(sup, timeout, delete_child_atom::value, std::move(id));
}

inline auto which_children(caf::event_based_actor* self, const supervisor_actor& sup,
                           caf::duration timeout = caf::infinite) {
  return self->request(sup, timeout, which_children_atom::value);
}

inline auto count_children(caf::event_based_actor* self, const supervisor_actor& sup,
                           caf::duration timeout = caf::infinite) {
  return self->request(sup, timeout, count_children_atom::value);
}

inline auto get_childspec(caf::event_based_actor* self, const supervisor_actor& sup, std::string id,
                          caf::duration timeout = caf::infinite) {
  return self->request(sup, timeout, get_childspec_atom::value, std::move(id));
}

inline auto get_flags(caf::event_based_actor* self, const supervisor_actor& sup,
                      caf::duration timeout = caf::infinite) {
  return self->request(sup, timeout, get_flags_atom::value);
}

/// Answers ok_atom just before the supervisor exits.
inline auto stop(caf::event_based_actor* self, const supervisor_actor& sup,
                 caf::error reason = shutdown_reason(), caf::duration timeout = caf::infinite) {
  return self->request(sup, timeout, stop_atom::value, std::move(reason));
}

} // namespace switchboard::supervision

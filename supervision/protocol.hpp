#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include <caf/actor.hpp>
#include <caf/allowed_unsafe_message_type.hpp>
#include <caf/atom.hpp>
#include <caf/message.hpp>
#include <caf/replies_to.hpp>
#include <caf/typed_actor.hpp>

#include "supervision/child_spec.hpp"
#include "supervision/supervisor_flags.hpp"

namespace switchboard::supervision {

using start_child_atom = caf::atom_constant<caf::atom("startchild")>;
using terminate_child_atom = caf::atom_constant<caf::atom("termchild")>;
using restart_child_atom = caf::atom_constant<caf::atom("restchild")>;
using delete_child_atom = caf::atom_constant<caf::atom("delchild")>;
using which_children_atom = caf::atom_constant<caf::atom("whichchild")>;
using count_children_atom = caf::atom_constant<caf::atom("countchild")>;
using get_childspec_atom = caf::atom_constant<caf::atom("getspec")>;
using get_flags_atom = caf::atom_constant<caf::atom("getflags")>;
/// Stops a supervisor in order (OTP `gen_server:stop/3` on a supervisor).
using stop_atom = caf::atom_constant<caf::atom("supstop")>;
/// The init handshake (OTP `proc_lib:init_ack`): a child started with
/// `start_result::with_init_ack` answers `(init_ack_atom)` with `ok_atom` once its init is
/// done, or with an error (and then exits). A supervisor answers it once all its children
/// have started, or with `failed_to_start_child` after it stopped those that had.
using init_ack_atom = caf::atom_constant<caf::atom("initack")>;
/// The positive answer of terminate_child and delete_child (OTP `ok`).
using ok_atom = caf::atom_constant<caf::atom("ok")>;

/// Extra arguments of a simple_one_for_one start_child; handed to the spec's start function.
struct start_args {
  caf::message args;
};

/// One entry of which_children (OTP `{Id, Child, Type, Modules}`).
struct child_info {
  std::string id;          ///< the spec id (for dynamic children: the single spec's id)
  caf::actor child;        ///< invalid when undefined (not running) or restarting
  bool restarting = false; ///< waiting for a restart retry after a failed restart
  child_type type = child_type::worker;
  std::string name; ///< the running child's actor name (a supervisor's options.name)
};

/// The answer of count_children (OTP's proplist).
struct child_counts {
  std::size_t specs = 0;       ///< child specs (dynamic: children, running or restarting)
  std::size_t active = 0;      ///< running children
  std::size_t supervisors = 0; ///< specs of type supervisor, running or not
  std::size_t workers = 0;     ///< specs of type worker, running or not
};

/// The messages a supervisor answers. All calls are answered once the supervisor is idle:
/// while it stops children (a restart of several, terminate_child, its own shutdown), calls
/// wait, exactly as OTP's supervisor blocks. Errors are `sup_error` values (errors.hpp) or
/// what a start function returned.
using supervisor_actor = caf::typed_actor<
  /// Static supervisors: adds and starts a child. Replies the child (invalid when the start
  /// function returned ignore) or already_started, already_present, simple_one_for_one, an
  /// invalid-spec error, or the start error.
  caf::replies_to<start_child_atom, child_spec>::with<caf::actor>,
  /// simple_one_for_one: starts a dynamic child with extra args. Replies the child (invalid
  /// on ignore) or not_simple_one_for_one or the start error.
  caf::replies_to<start_child_atom, start_args>::with<caf::actor>,
  /// Stops the child by id with its shutdown spec; keeps the spec unless temporary. Does not
  /// trigger auto_shutdown. Errors: not_found, simple_one_for_one.
  caf::replies_to<terminate_child_atom, std::string>::with<ok_atom>,
  /// Stops the child by handle (static or dynamic). Errors: not_found.
  caf::replies_to<terminate_child_atom, caf::actor>::with<ok_atom>,
  /// Starts a stopped static child again (not counted against intensity). Errors:
  /// not_found, running, restarting, simple_one_for_one, the start error.
  caf::replies_to<restart_child_atom, std::string>::with<caf::actor>,
  /// Removes the spec of a stopped static child. Errors: not_found, running, restarting,
  /// simple_one_for_one.
  caf::replies_to<delete_child_atom, std::string>::with<ok_atom>,
  /// Static children in start order; dynamic children in no particular order.
  caf::replies_to<which_children_atom>::with<std::vector<child_info>>,
  caf::replies_to<count_children_atom>::with<child_counts>,
  /// The spec of a static child by id, or the one spec of a simple_one_for_one supervisor by
  /// its id (OTP get_childspec/2). Errors: not_found.
  caf::replies_to<get_childspec_atom, std::string>::with<child_spec>,
  /// The supervisor's flags, as validated at start.
  caf::replies_to<get_flags_atom>::with<supervisor_flags>,
  /// Stops all children in order and exits with `reason` (empty: normal); answers just before
  /// it exits. Anyone may ask, as anyone may call OTP's gen_server:stop.
  caf::replies_to<stop_atom, caf::error>::with<ok_atom>,
  /// Answers once the supervisor's own start is over: ok, or failed_to_start_child.
  caf::replies_to<init_ack_atom>::with<ok_atom>>;

} // namespace switchboard::supervision

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(switchboard::supervision::start_args)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(switchboard::supervision::child_info)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(std::vector<switchboard::supervision::child_info>)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(switchboard::supervision::child_counts)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(switchboard::supervision::supervisor_flags)

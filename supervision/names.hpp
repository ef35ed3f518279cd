#pragma once
/// Registered names: OTP's `{local, Name}` child registration and `whereis`, on CAF's actor
/// registry. A child started under a name can be found by that name from any thread, and a
/// restarted child takes the name over, so nobody has to be told of a restart or keep a handle
/// that goes stale. Names are CAF atoms (at most 10 characters).
///
/// Unlike OTP, a name is not removed when its holder exits: until a successor registers, whereis
/// returns the dead holder, and a request to it fails at once with an error (CAF answers for
/// dead actors); while the successor registers it returns an invalid handle for an instant (CAF's
/// registry does not overwrite, so the old entry goes first). Callers treat both the way OTP
/// callers treat `undefined`: retry later.

#include "supervision/child_spec.hpp"

#include <caf/actor_system.hpp>
#include <caf/atom.hpp>

#include <string_view>

namespace switchboard::supervision {

/// `text` as a registered name; throws std::invalid_argument past 10 characters.
[[nodiscard]] caf::atom_value name(std::string_view text);

/// `spec`, whose every started child is registered under `name` before its supervisor sees it.
[[nodiscard]] child_spec registered(caf::atom_value name, child_spec spec);

/// The actor registered under `name`, or an invalid handle when none ever was.
template <class Handle = caf::actor>
[[nodiscard]] Handle whereis(caf::actor_system& sys, caf::atom_value name) {
  return sys.registry().get<Handle>(name);
}

} // namespace switchboard::supervision

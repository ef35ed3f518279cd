#pragma once

#include <caf/atom.hpp>

namespace switchboard::supervision::detail {

/// Internal messages a supervisor sends itself.
using stop_timeout_atom = caf::atom_constant<caf::atom("stoptimeo")>;
using try_again_atom = caf::atom_constant<caf::atom("tryagain")>;

} // namespace switchboard::supervision::detail

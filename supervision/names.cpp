#include "supervision/names.hpp"

#include <caf/actor_registry.hpp>

#include <stdexcept>
#include <string>

namespace switchboard::supervision {

caf::atom_value name(std::string_view text) {
  if (text.empty() || text.size() > 10)
    throw std::invalid_argument("a registered name has 1 to 10 characters: " + std::string{text});
  return caf::atom_from_string(caf::string_view{text.data(), text.size()});
}

child_spec registered(caf::atom_value name, child_spec spec) {
  spec.start = [name, start = std::move(spec.start)](caf::actor_system& sys,
                                                     const caf::message& args) {
    auto result = start(sys, args);
    if (const auto* child = result.child()) {
      // CAF's put keeps an existing entry: the predecessor's goes first. Only this spec's
      // supervisor writes the name, so nothing registers in between.
      sys.registry().erase(name);
      sys.registry().put(name, *child);
    }
    return result;
  };
  return spec;
}

} // namespace switchboard::supervision

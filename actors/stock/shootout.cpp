#include "actors/stock/shootout.hpp"

namespace switchboard::actors {

void add_shootout_behaviour(behaviour_registry& r) {
  r.add<stock::shootout>("shootout");
}

} // namespace switchboard::actors

#include "actors/connections.hpp"

#include <caf/all.hpp>

#include <unordered_map>

namespace switchboard::actors {

namespace {

struct connections_state {
  std::unordered_map<caf::actor_id, caf::actor> children;
  static inline const char* name = "connections";
};

caf::behavior connections(caf::stateful_actor<connections_state>* self, int /*unused*/) {
  self->set_down_handler(
    [self](caf::down_msg& down) { self->state.children.erase(down.source.id()); });
  self->set_exit_handler([self](caf::exit_msg& msg) {
    for (auto& [id, child] : self->state.children)
      self->send_exit(child, msg.reason);
    self->state.children.clear();
    self->quit(msg.reason);
  });
  return {
    [self](adopt_atom, caf::actor& child) {
      self->monitor(child);
      self->state.children.emplace(child.id(), std::move(child));
    },
    [self](count_atom) { return self->state.children.size(); },
  };
}

} // namespace

caf::actor spawn_connections(caf::actor_system& sys) {
  return sys.spawn(connections, 0);
}

} // namespace switchboard::actors

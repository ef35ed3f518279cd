#include "actors/registry.hpp"

#include "actors/messages.hpp"
#include "actors/room.hpp"

#include <caf/all.hpp>

#include <functional>
#include <string>
#include <unordered_map>

namespace switchboard::actors {

namespace {

struct room_entry {
  caf::actor room;
  std::uint64_t joins_forwarded = 0;
};

struct shard_state {
  std::unordered_map<std::string, room_entry> rooms;
  std::unordered_map<caf::actor_id, std::string> topic_of; ///< for down messages
  std::size_t index = 0;
  room_limits limits;
  static inline const char* name = "registry_shard";
};

// `index` only names the shard in logs; it also keeps CAF's spawn path off a no-argument
// special case that UBSan flags.
caf::behavior registry_shard(caf::stateful_actor<shard_state>* self, std::size_t index,
                             room_limits limits) {
  self->state.index = index;
  self->state.limits = limits;
  // Rooms are linked: they die with their shard. The shard traps their exits, so that a room's
  // crash only erases its entry (the next join creates the room anew).
  self->set_exit_handler([self](caf::exit_msg& msg) {
    auto& st = self->state;
    auto i = st.topic_of.find(msg.source.id());
    if (i == st.topic_of.end()) { // not one of our rooms: our parent tells us to stop
      self->quit(msg.reason);
      return;
    }
    auto r = st.rooms.find(i->second);
    if (r != st.rooms.end() && r->second.room.id() == msg.source.id())
      st.rooms.erase(r);
    st.topic_of.erase(i);
  });
  return {
    [self](join_atom, join_request& req) -> caf::delegated<caf::message> {
      auto& st = self->state;
      auto& topic = req.msg.topic;
      auto i = st.rooms.find(topic);
      if (i == st.rooms.end()) {
        auto room = spawn_room(self->system(), topic, req.route, caf::actor_cast<caf::actor>(self),
                               st.limits);
        self->link_to(room);
        st.topic_of.emplace(room.id(), topic);
        i = st.rooms.emplace(topic, room_entry{std::move(room), 0}).first;
      }
      ++i->second.joins_forwarded;
      return self->delegate(i->second.room, join_atom::value, std::move(req));
    },
    [self](broadcast_atom, broadcast_request& b) {
      auto i = self->state.rooms.find(b.topic);
      if (i != self->state.rooms.end())
        self->send(i->second.room, broadcast_atom::value, std::move(b));
    },
    [self](idle_atom, const std::string& topic, std::uint64_t joins_seen) {
      auto& st = self->state;
      auto i = st.rooms.find(topic);
      // A join forwarded after the room went idle is still in its mailbox: keep the room.
      if (i == st.rooms.end() || i->second.room.id() != self->current_sender()->id()
          || i->second.joins_forwarded != joins_seen)
        return;
      self->unlink_from(i->second.room);
      st.topic_of.erase(i->second.room.id());
      self->send(i->second.room, stop_atom::value);
      st.rooms.erase(i);
    },
  };
}

} // namespace

caf::actor spawn_registry_shard(caf::actor_system& sys, std::size_t index, room_limits limits) {
  return sys.spawn(registry_shard, index, limits);
}

const caf::actor& registry::shard_for(std::string_view topic) const noexcept {
  return shards_[std::hash<std::string_view>{}(topic) % shards_.size()];
}

} // namespace switchboard::actors

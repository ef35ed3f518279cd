#include "actors/registry.hpp"

#include "supervision/names.hpp"
#include "supervision/protocol.hpp"

#include <caf/all.hpp>
#include <spdlog/spdlog.h>

#include <functional>
#include <string>
#include <unordered_map>
#include <utility>

namespace switchboard::actors {

namespace {

using join_promise = caf::typed_response_promise<join_answer>;

struct waiting_join {
  join_promise promise;
  join_request req;
};

struct room_entry {
  room_actor room;         ///< invalid while the room starts
  std::uint64_t start = 0; ///< the start_room call this entry's room came (or comes) from
  std::uint64_t joins_forwarded = 0;
  std::vector<waiting_join> waiting;
};

struct shard_state {
  std::unordered_map<std::string, room_entry> rooms;
  std::unordered_map<caf::actor_id, std::string> topic_of; ///< monitored room → its topic
  std::uint64_t starts = 0;                                ///< start_room calls so far
  supervision::supervisor_actor room_supervisor;
  room_limits limits;
  std::size_t index = 0;
  static inline const char* name = "registry_shard";
};

using shard_actor = registry_shard_actor::stateful_base<shard_state>;

void forward(room_entry& e, join_promise& rp, join_request&& req) {
  ++e.joins_forwarded;
  rp.delegate(e.room, std::move(req));
}

/// Monitors `room` once, remembering its topic for the down handler.
void watch(shard_actor* self, const room_actor& room, const std::string& topic) {
  if (room && self->state.topic_of.emplace(room.id(), topic).second)
    self->monitor(room);
}

/// A room of `topic` could not start (or died before announcing itself): every join waiting
/// for it gets `err`; the next join starts another.
void fail_waiting(shard_actor* self, const std::string& topic, const caf::error& err) {
  auto i = self->state.rooms.find(topic);
  if (i == self->state.rooms.end() || i->second.room)
    return;
  spdlog::error("room {} failed to start: {}", topic, self->system().render(err));
  for (auto& w : i->second.waiting)
    w.promise.deliver(err);
  self->state.rooms.erase(i);
}

/// Whether `topic`'s entry still waits for the room of start `start`: the supervisor's answer to
/// a start can arrive after that room announced itself, went idle and was stopped, while a
/// later start for the topic is under way; that stale answer must not touch the new entry.
bool awaits(shard_actor* self, const std::string& topic, std::uint64_t start) {
  auto i = self->state.rooms.find(topic);
  return i != self->state.rooms.end() && i->second.start == start;
}

void start_room(shard_actor* self, const std::string& topic, std::shared_ptr<const route> r) {
  const auto start = self->state.rooms[topic].start = ++self->state.starts;
  auto args =
    caf::make_message(topic, std::move(r), registry_shard_actor{self}, self->state.limits);
  const auto& sup = self->state.room_supervisor;
  // Joins are forwarded once the room announces itself; it is watched from the moment it
  // exists, so that one dying before its announcement (a channel factory that throws) fails
  // the joins waiting for it instead of leaving the topic "starting" for good.
  self
    ->request(sup, caf::infinite, supervision::start_child_atom::value,
              supervision::start_args{std::move(args)})
    .then(
      [self, topic, start](const caf::actor& room) {
        if (awaits(self, topic, start))
          watch(self, caf::actor_cast<room_actor>(room), topic);
      },
      [self, topic, start](caf::error& err) {
        if (awaits(self, topic, start))
          fail_waiting(self, topic, err);
      });
}

registry_shard_actor::behavior_type registry_shard(shard_actor* self, std::size_t index,
                                                   room_limits limits) {
  self->state.index = index;
  self->state.limits = limits;
  self->state.room_supervisor =
    supervision::whereis<supervision::supervisor_actor>(self->system(), rooms_name(index));
  self->set_down_handler([self](caf::down_msg& down) {
    auto& st = self->state;
    auto t = st.topic_of.find(down.source.id());
    if (t == st.topic_of.end())
      return;
    const auto topic = std::move(t->second);
    st.topic_of.erase(t);
    auto i = st.rooms.find(topic);
    if (i == st.rooms.end())
      return;
    if (!i->second.room) { // it died before announcing itself: a failed start
      fail_waiting(self, topic,
                   down.reason ? down.reason : caf::make_error(caf::sec::runtime_error));
      return;
    }
    if (i->second.room.id() != down.source.id())
      return;
    // Rooms are temporary: nobody restarts a crashed room. Joins already forwarded to it were
    // bounced to their connections with an error (answered "join crashed"); the next join
    // (phoenix.js rejoins after phx_error) starts a fresh room. No join waits here: a running
    // room's entry forwards every join at once.
    st.rooms.erase(i);
  });
  return {
    [self](join_request& req) -> join_promise {
      auto& st = self->state;
      auto rp = self->make_response_promise<join_answer>();
      auto [i, fresh] = st.rooms.try_emplace(req.msg.topic);
      auto& e = i->second;
      if (e.room) {
        forward(e, rp, std::move(req));
        return rp;
      }
      if (fresh)
        start_room(self, req.msg.topic, req.route);
      e.waiting.push_back(waiting_join{rp, std::move(req)});
      return rp;
    },
    [self](room_started& started) {
      auto& e = self->state.rooms[started.topic];
      e.room = std::move(started.room);
      e.joins_forwarded = 0;
      watch(self, e.room, started.topic);
      auto waiting = std::move(e.waiting);
      for (auto& w : waiting)
        forward(e, w.promise, std::move(w.req));
    },
    [self](broadcast_request& b) {
      auto i = self->state.rooms.find(b.topic);
      if (i != self->state.rooms.end() && i->second.room)
        self->send(i->second.room, std::move(b));
    },
    [self](const room_idle& idle) {
      auto& st = self->state;
      auto i = st.rooms.find(idle.topic);
      // A join forwarded after the room went idle is still in its mailbox: keep the room.
      if (i == st.rooms.end() || i->second.room != idle.room ||
          i->second.joins_forwarded != idle.joins_seen || !i->second.waiting.empty())
        return;
      self->demonitor(i->second.room.address());
      st.topic_of.erase(i->second.room.id());
      self->send(i->second.room, stop_room{});
      st.rooms.erase(i);
    },
  };
}

} // namespace

caf::atom_value shard_name(std::size_t index) {
  return supervision::name("shard_" + std::to_string(index));
}

caf::atom_value rooms_name(std::size_t index) {
  return supervision::name("rooms_" + std::to_string(index));
}

registry_shard_actor spawn_registry_shard(caf::actor_system& sys, std::size_t index,
                                          room_limits limits) {
  return sys.spawn(registry_shard, index, limits);
}

registry::registry(caf::actor_system& sys, std::size_t shards) : sys_(&sys) {
  for (std::size_t i = 0; i < shards; ++i)
    names_.push_back(shard_name(i));
}

registry_shard_actor registry::shard_for(std::string_view topic) const {
  return supervision::whereis<registry_shard_actor>(
    *sys_, names_[std::hash<std::string_view>{}(topic) % names_.size()]);
}

} // namespace switchboard::actors

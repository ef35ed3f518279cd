#include "actors/registry.hpp"

#include "actors/messages.hpp"
#include "supervision/protocol.hpp"

#include <caf/all.hpp>
#include <spdlog/spdlog.h>

#include <functional>
#include <string>
#include <unordered_map>
#include <utility>

namespace switchboard::actors {

namespace {

struct waiting_join {
  caf::response_promise promise;
  join_request req;
};

struct room_entry {
  caf::actor room; ///< invalid while the room starts
  std::uint64_t joins_forwarded = 0;
  std::vector<waiting_join> waiting;
};

struct shard_state {
  std::unordered_map<std::string, room_entry> rooms;
  std::unordered_map<caf::actor_id, std::string> topic_of; ///< monitored room → its topic
  caf::actor room_supervisor;
  room_limits limits;
  std::size_t index = 0;
  static inline const char* name = "registry_shard";
};

using shard_actor = caf::stateful_actor<shard_state>;

void forward(room_entry& e, caf::response_promise& rp, join_request&& req) {
  ++e.joins_forwarded;
  rp.delegate(e.room, join_atom::value, std::move(req));
}

/// Monitors `room` once, remembering its topic for the down handler.
void watch(shard_actor* self, const caf::actor& room, const std::string& topic) {
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

void start_room(shard_actor* self, const std::string& topic, std::shared_ptr<const route> r) {
  auto args = caf::make_message(topic, std::move(r), caf::actor_cast<caf::actor>(self),
                                self->state.limits);
  auto sup = caf::actor_cast<supervision::supervisor_actor>(self->state.room_supervisor);
  // Joins are forwarded once the room announces itself; it is watched from the moment it
  // exists, so that one dying before its announcement (a channel factory that throws) fails
  // the joins waiting for it instead of leaving the topic "starting" for good.
  self->request(sup, caf::infinite, supervision::start_child_atom::value,
                supervision::start_args{std::move(args)})
    .then([self, topic](const caf::actor& room) { watch(self, room, topic); },
          [self, topic](caf::error& err) { fail_waiting(self, topic, err); });
}

caf::behavior registry_shard(shard_actor* self, std::size_t index, room_limits limits,
                             caf::actor room_supervisor) {
  self->state.index = index;
  self->state.limits = limits;
  self->state.room_supervisor = std::move(room_supervisor);
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
      fail_waiting(self, topic, down.reason ? down.reason : caf::make_error(caf::sec::runtime_error));
      return;
    }
    if (i->second.room.id() != down.source.id())
      return;
    // Rooms are temporary: nobody restarts a crashed room. Joins already forwarded to it were
    // bounced to their connections with an error (answered "join crashed"); the next join
    // (phoenix.js rejoins after phx_error) starts a fresh room, and so do joins waiting here.
    auto& e = i->second;
    if (e.waiting.empty()) {
      st.rooms.erase(i);
      return;
    }
    e.room = nullptr;
    e.joins_forwarded = 0;
    start_room(self, topic, e.waiting.front().req.route);
  });
  return {
    [self](join_atom, join_request& req) {
      auto& st = self->state;
      auto rp = self->make_response_promise();
      auto [i, fresh] = st.rooms.try_emplace(req.msg.topic);
      auto& e = i->second;
      if (e.room)
        return forward(e, rp, std::move(req));
      if (fresh)
        start_room(self, req.msg.topic, req.route);
      e.waiting.push_back(waiting_join{rp, std::move(req)});
    },
    [self](room_started_atom, const std::string& topic) {
      auto room = caf::actor_cast<caf::actor>(self->current_sender());
      auto& e = self->state.rooms[topic];
      e.room = room;
      e.joins_forwarded = 0;
      watch(self, room, topic);
      auto waiting = std::move(e.waiting);
      for (auto& w : waiting)
        forward(e, w.promise, std::move(w.req));
    },
    [self](broadcast_atom, broadcast_request& b) {
      auto i = self->state.rooms.find(b.topic);
      if (i != self->state.rooms.end() && i->second.room)
        self->send(i->second.room, broadcast_atom::value, std::move(b));
    },
    [self](idle_atom, const std::string& topic, std::uint64_t joins_seen) {
      auto& st = self->state;
      auto i = st.rooms.find(topic);
      // A join forwarded after the room went idle is still in its mailbox: keep the room.
      if (i == st.rooms.end() || !i->second.room ||
          i->second.room.id() != self->current_sender()->id() ||
          i->second.joins_forwarded != joins_seen || !i->second.waiting.empty())
        return;
      self->demonitor(i->second.room);
      st.topic_of.erase(i->second.room.id());
      self->send(i->second.room, stop_atom::value);
      st.rooms.erase(i);
    },
  };
}

} // namespace

caf::actor spawn_registry_shard(caf::actor_system& sys, std::size_t index, room_limits limits,
                                caf::actor room_supervisor) {
  return sys.spawn(registry_shard, index, limits, std::move(room_supervisor));
}

caf::actor registry::shard_for(std::string_view topic) const {
  return shards_[std::hash<std::string_view>{}(topic) % shards_.size()]->get();
}

} // namespace switchboard::actors

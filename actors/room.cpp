#include "actors/room.hpp"

#include "actors/metrics.hpp"
#include "actors/room_core.hpp"

#include <caf/all.hpp>
#include <spdlog/spdlog.h>

namespace switchboard::actors {

namespace {

constexpr auto idle_grace_period = std::chrono::seconds(30);

struct room_state {
  std::shared_ptr<room_core> core;
  registry_shard_actor registry_shard;
  room_limits limits;
  static inline const char* name = "room";
};

// Tells the registry when the last member is gone; the registry decides whether to stop us,
// since only it knows whether a join is on its way.
using room_pointer = room_actor::stateful_pointer<room_state>;

void notify_if_idle(room_pointer self) {
  auto& st = self->state;
  if (st.core->member_count() == 0)
    self->send(st.registry_shard,
               room_idle{st.core->topic(), st.core->joins_seen(), room_actor{self}});
}

room_actor::behavior_type room(room_pointer self, std::string topic, std::shared_ptr<const route> r,
                               registry_shard_actor registry_shard, room_limits limits) {
  self->state.limits = limits;
  ++metrics::global().rooms_current;
  auto core = std::make_shared<room_core>(self, std::move(topic), std::move(r));
  self->state.core = core;
  self->state.registry_shard = std::move(registry_shard);
  self->send(self->state.registry_shard, room_started{core->topic(), room_actor{self}});
  // A safety net: a room that never gets a member (its joins were all answered otherwise) still
  // tells the registry it is idle.
  self->delayed_send(self, idle_grace_period, idle_check{});
  // A room-level callback that throws (member-level ones are caught by the core) crashes this
  // room only: log it and exit with the reason. Rooms are temporary: nobody restarts them.
  self->set_exception_handler(
    [self](caf::scheduled_actor*, std::exception_ptr& eptr) -> caf::error {
      std::string what = "unknown exception";
      try {
        std::rethrow_exception(eptr);
      } catch (const std::exception& e) {
        what = e.what();
      } catch (...) {
      }
      spdlog::error("room {} crashed: {}", self->state.core->topic(), what);
      add(metrics::global().room_crashes_total);
      return caf::make_error(caf::sec::runtime_error, std::move(what));
    });
  self->set_down_handler([self](caf::down_msg& down) {
    auto& core = *self->state.core;
    auto id = down.source.id();
    // The room monitors its members' connections only; a down of one that left already raced
    // its demonitor.
    if (!core.is_member(id))
      return;
    core.connection_down(id);
    notify_if_idle(self);
  });
  // The attachable holds the core so that terminate runs even after the state is destroyed.
  self->attach_functor([core, &sys = self->system()](const caf::error& reason) {
    --metrics::global().rooms_current;
    core->terminate(reason ? sys.render(reason) : "normal");
  });
  return {
    [self](join_request& req) -> join_answer {
      auto outcome = self->state.core->join(req);
      if (outcome != join_outcome::admitted)
        notify_if_idle(self);
      return {outcome, room_actor{self}};
    },
    [self](leave_request& leave) {
      self->state.core->leave(self->current_sender()->id(), leave.msg);
      notify_if_idle(self);
    },
    [self](client_event& in) {
      auto& st = self->state;
      if (self->mailbox().size() > st.limits.mailbox_limit) {
        add(metrics::global().overloaded_total);
        st.core->refuse(self->current_sender()->id(), in.msg, "overloaded");
        return;
      }
      st.core->publish(self->current_sender()->id(), in.msg);
      notify_if_idle(self);
    },
    [self](const broadcast_request& b) {
      self->state.core->broadcast(b.event, b.payload);
      notify_if_idle(self); // an intercepted broadcast may have crashed every member's channel
    },
    [self](const info_message& info) {
      self->state.core->handle_info(info.content);
      notify_if_idle(self);
    },
    [self](const member_drained& notice) {
      self->state.core->drained(notice.connection, notice.request);
      notify_if_idle(self); // a handle_drained that throws ends its member
    },
    [self](timer_fired t) {
      self->state.core->timer_fired(t.id);
      notify_if_idle(self);
    },
    [](sync_request) { return true; },
    [self](idle_check) { notify_if_idle(self); },
    [self](stop_room) { self->quit(); },
  };
}

} // namespace

supervision::start_result start_room(caf::actor_system& sys, const caf::message& args) {
  if (!args.match_elements<std::string, std::shared_ptr<const route>, registry_shard_actor,
                           room_limits>())
    return caf::make_error(caf::sec::unexpected_message);
  return caf::actor_cast<caf::actor>(
    spawn_room(sys, args.get_as<std::string>(0), args.get_as<std::shared_ptr<const route>>(1),
               args.get_as<registry_shard_actor>(2), args.get_as<room_limits>(3)));
}

room_actor spawn_room(caf::actor_system& sys, std::string topic, std::shared_ptr<const route> r,
                      registry_shard_actor registry_shard, room_limits limits) {
  return sys.spawn(room, std::move(topic), std::move(r), std::move(registry_shard), limits);
}

} // namespace switchboard::actors

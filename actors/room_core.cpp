#include "actors/room_core.hpp"

#include "actors/frames.hpp"
#include "actors/metrics.hpp"

#include <boost/json/object.hpp>
#include <spdlog/spdlog.h>

#include <stdexcept>

namespace switchboard::actors {

namespace {

const boost::json::value empty_object = boost::json::object{};

} // namespace

room_core::room_core(caf::event_based_actor* self, std::string topic,
                     std::shared_ptr<const route> r)
  : self_(self), topic_(std::move(topic)), route_(std::move(r)), channel_(route_->factory(topic_)) {
  channel_->room_ = this;
}

member_base* room_core::find(caf::actor_id id) {
  auto i = index_.find(id);
  return i == index_.end() ? nullptr : members_[i->second].get();
}

join_outcome room_core::join(join_request& req) {
  ++joins_seen_;
  const auto id = req.connection.id();
  std::optional<boost::json::value> replaced_join_ref;
  if (auto* old = find(id)) {
    replaced_join_ref = old->join_ref_;
    remove(id, leave_reason::duplicate_join);
  }
  const port_ptr port = req.port;
  auto m = channel_->make_member();
  m->connection_ = std::move(req.connection);
  m->port_ = port;
  m->serializer_ = m->port_->serializer();
  m->socket_ = std::move(req.socket);
  m->join_ref_ = req.msg.join_ref;

  if (std::chrono::steady_clock::now() > req.deadline) {
    // Queued too long (a join storm, a busy room): the client has given up or is about to, so
    // the join never takes effect; the connection answers it.
    add(metrics::global().join_errors_total);
    if (replaced_join_ref)
      port->push(make_channel_control_frame(port->serializer(), *replaced_join_ref, topic_,
                                            protocol::events::close, empty_object));
    return join_outcome::expired;
  }
  join_result result;
  try {
    result = channel_->join_member(topic_, req.msg.payload, *m);
  } catch (const std::exception& e) {
    // A crashing join refuses that join only; the room and its other members are untouched.
    spdlog::error("room {}: join crashed: {}", topic_, e.what());
    result = join_result::refuse(reason_payload("join crashed"));
  }
  send_reply(*m, req.msg.ref, result.accepted ? "ok" : "error", result.response);
  add(result.accepted ? metrics::global().joins_total : metrics::global().join_errors_total);
  if (result.accepted) {
    self_->monitor(m->connection_);
    index_.emplace(id, members_.size());
    members_.push_back(std::move(m));
  }
  auto* admitted = result.accepted ? members_.back().get() : nullptr;
  if (replaced_join_ref) {
    // Phoenix queues the old incarnation's close behind the new join's reply.
    port->push(make_channel_control_frame(port->serializer(), *replaced_join_ref, topic_,
                                          protocol::events::close, empty_object));
  }
  if (admitted)
    channel_->after_join_member(*admitted);
  return result.accepted ? join_outcome::admitted : join_outcome::refused;
}

void room_core::leave(caf::actor_id from, const protocol::message& msg) {
  auto* m = find(from);
  if (!m)
    return;
  send_reply(*m, msg.ref, "ok", empty_object);
  send_control(*m, protocol::events::close, empty_object);
  remove(from, leave_reason::left);
}

void room_core::publish(caf::actor_id from, protocol::message& msg) {
  auto* m = find(from);
  if (!m)
    return; // raced a leave or a close: the member is gone, so is its reply
  current_ref_ = reply_ref{from, m->join_ref_, msg.ref};
  apply(channel_->handle_in_member(msg.event, msg.payload, *m), *m, msg.ref);
}

void room_core::refuse(caf::actor_id from, const protocol::message& msg, std::string_view reason) {
  if (auto* m = find(from))
    send_reply(*m, msg.ref, "error", reason_payload(reason));
}

void room_core::apply(in_result&& result, member_base& m, const boost::json::value& ref) {
  if (result.reply)
    send_reply(m, ref, result.reply->status, result.reply->response);
  if (result.what != in_result::kind::stop)
    return;
  if (!is_graceful_stop(result.stop_reason))
    throw std::runtime_error("channel stopped: " + result.stop_reason);
  send_control(m, protocol::events::close, empty_object);
  self_->send(m.connection_, closed_atom::value, topic_, m.join_ref_);
  remove(m.id(), leave_reason::stopped);
}

void room_core::connection_down(caf::actor_id who) {
  if (find(who))
    remove(who, leave_reason::closed);
}

void room_core::remove(caf::actor_id id, leave_reason why) {
  auto i = index_.find(id);
  if (i == index_.end())
    return;
  const auto pos = i->second;
  channel_->leave_member(*members_[pos], why);
  self_->demonitor(members_[pos]->connection_);
  index_.erase(i);
  if (pos + 1 != members_.size()) {
    members_[pos] = std::move(members_.back());
    index_[members_[pos]->id()] = pos;
  }
  members_.pop_back();
}

void room_core::handle_info(const caf::message& msg) {
  auto result = channel_->handle_info(msg);
  if (result.what != in_result::kind::stop)
    return;
  if (!is_graceful_stop(result.stop_reason))
    throw std::runtime_error("channel stopped: " + result.stop_reason);
  // A graceful stop of the whole room (a game that ended): every member's channel closes with
  // phx_close, so clients do not rejoin; the room then goes idle and the registry stops it.
  while (!members_.empty()) {
    auto& m = *members_.back();
    send_control(m, protocol::events::close, empty_object);
    self_->send(m.connection_, closed_atom::value, topic_, m.join_ref_);
    remove(m.id(), leave_reason::stopped);
  }
}

void room_core::terminate(std::string_view reason) {
  channel_->terminate(reason);
}

void room_core::broadcast(std::string_view event, const protocol::payload& payload) {
  fanout(nullptr, event, payload);
}

void room_core::broadcast_from(const member_base& from, std::string_view event,
                               const protocol::payload& payload) {
  fanout(&from, event, payload);
}

bool room_core::may_send(std::string_view event) const {
  if (!protocol::events::is_reserved(event) || channel_->sends_reserved_events())
    return true;
  spdlog::error("room {}: refusing to send reserved event \"{}\" (see sends_reserved_events)",
                topic_, event);
  return false;
}

void room_core::fanout(const member_base* except, std::string_view event,
                       const protocol::payload& p) {
  if (!may_send(event))
    return;
  if (channel_->intercepts(event)) {
    for (auto& m : members_) {
      if (m.get() == except)
        continue;
      auto out = channel_->handle_out_member(event, p, *m);
      if (out.push)
        push(*m, event, *out.push);
    }
    return;
  }
  // Encode and frame once per serializer, lazily, and share the buffer with every member.
  frame_ptr frames[2];
  std::uint64_t delivered = 0;
  for (auto& m : members_) {
    if (m.get() == except)
      continue;
    auto& frame = frames[static_cast<int>(m->serializer_)];
    if (!frame)
      frame = make_broadcast_frame(m->serializer_, topic_, event, p, route_->on_overflow);
    if (frame && m->port_->push(frame) == push_result::queued)
      ++delivered;
  }
  auto& stats = metrics::global();
  add(stats.broadcasts_total);
  add(stats.deliveries_total, delivered);
}

void room_core::push(const member_base& to, std::string_view event,
                     const protocol::payload& payload) {
  if (!may_send(event))
    return;
  if (auto frame = make_push_frame(to.serializer_, to.join_ref_, topic_, event, payload))
    to.port_->push(std::move(frame));
}

void room_core::push_each(const std::vector<const member_base*>& to, std::string_view event,
                          const protocol::payload& payload) {
  if (!may_send(event))
    return;
  shared_push frames{topic_, event, payload};
  for (const auto* m : to)
    if (auto frame = frames.frame_for(m->serializer_, m->join_ref_))
      m->port_->push(std::move(frame));
}

void room_core::reply(const reply_ref& to, std::string_view status,
                      const protocol::payload& response) {
  auto* m = find(to.member);
  if (m && m->join_ref_ == to.join_ref)
    send_reply(*m, to.ref, status, response);
}

void room_core::send_reply(const member_base& m, const boost::json::value& ref,
                           std::string_view status, const protocol::payload& response) {
  auto frame = make_reply_frame(m.serializer_, m.join_ref_, ref, topic_, status, response);
  if (!frame) // a binary response cannot be expressed in V1
    frame = make_reply_frame(m.serializer_, m.join_ref_, ref, topic_, "error",
                             reason_payload("binary payloads need vsn 2.0.0"));
  m.port_->push(std::move(frame));
}

void room_core::send_control(const member_base& m, std::string_view event,
                             const boost::json::value& p) {
  m.port_->push(make_channel_control_frame(m.serializer_, m.join_ref_, topic_, event, p));
}

void room_core::for_each_member(const std::function<void(member_base&)>& fn) {
  for (auto& m : members_)
    fn(*m);
}

timer_id room_core::send_after(std::chrono::milliseconds delay, caf::message msg) {
  auto id = next_timer_++;
  timers_.emplace(id, timer{std::move(msg), std::chrono::milliseconds{0}, {}});
  schedule(id, delay);
  return id;
}

timer_id room_core::every(std::chrono::milliseconds interval, caf::message msg) {
  auto id = next_timer_++;
  timers_.emplace(id, timer{std::move(msg), interval, {}});
  schedule(id, interval);
  return id;
}

void room_core::cancel_timer(timer_id id) {
  timers_.erase(id);
}

timer_id room_core::call_after(std::chrono::milliseconds delay, std::function<void()> fn) {
  auto id = next_timer_++;
  timers_.emplace(id, timer{caf::message{}, std::chrono::milliseconds{0}, std::move(fn)});
  schedule(id, delay);
  return id;
}

void room_core::schedule(timer_id id, std::chrono::milliseconds delay) {
  self_->delayed_send(self_, delay, timer_atom::value, id);
}

void room_core::timer_fired(timer_id id) {
  auto i = timers_.find(id);
  if (i == timers_.end())
    return; // cancelled
  if (auto fn = std::move(i->second.fn)) {
    timers_.erase(i);
    fn();
    return;
  }
  auto msg = i->second.msg;
  if (i->second.interval.count() > 0)
    schedule(id, i->second.interval);
  else
    timers_.erase(i);
  handle_info(msg);
}

} // namespace switchboard::actors

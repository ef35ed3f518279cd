#include "actors/room_core.hpp"

#include "actors/frames.hpp"
#include "actors/metrics.hpp"
#include "actors/params.hpp"

#include <boost/json/object.hpp>
#include <caf/send.hpp>
#include <spdlog/spdlog.h>

#include <stdexcept>
#include <type_traits>
#include <utility>

namespace switchboard::actors {

namespace {

const boost::json::value empty_object = boost::json::object{};

/// The message of the exception being handled; call only inside a catch block.
std::string current_exception_text() {
  try {
    throw;
  } catch (const std::exception& e) {
    return e.what();
  } catch (...) {
    return "unknown exception";
  }
}

} // namespace

room_core::room_core(room_actor::pointer self, std::string topic, std::shared_ptr<const route> r)
    : self_(self), topic_(std::move(topic)), route_(std::move(r)),
      channel_(route_->factory(topic_)) {
  channel_->room_ = this;
}

template <class F>
auto room_core::dispatch(F&& handle) -> decltype(handle()) {
  ++depth_;
  struct unnest {
    int& depth;
    ~unnest() { --depth; }
  } scope{depth_};
  if constexpr (std::is_void_v<decltype(handle())>) {
    handle();
    if (depth_ == 1)
      remove_crashed();
  } else {
    auto result = handle();
    if (depth_ == 1)
      remove_crashed();
    return result;
  }
}

member_base* room_core::find(caf::actor_id id) {
  auto i = index_.find(id);
  return i == index_.end() ? nullptr : members_[i->second].get();
}

void room_core::crash_member(member_base& m, std::string_view callback, std::string_view what) {
  if (m.crashed_)
    return;
  spdlog::error("room {}: channel of connection {} crashed in {}: {}", topic_, m.id(), callback,
                what);
  add(metrics::global().channel_crashes_total);
  // The connection forgets the topic before the client can react to the phx_error: its
  // rejoin (or any later message) queues behind this in the connection's mailbox.
  self_->send(m.connection_, channel_closed{topic_, m.join_ref_});
  m.port_->push(make_channel_control_frame(
    m.serializer_, m.join_ref_, topic_, protocol::events::error, reason_payload("channel_crash")));
  m.crashed_ = true;
  crashed_.push_back(m.id());
}

void room_core::remove_crashed() {
  // A crashed member's leave may crash others (an intercepted broadcast): repeat until none.
  while (!crashed_.empty())
    for (auto id : std::exchange(crashed_, {}))
      remove(id, leave_reason::crashed);
}

join_outcome room_core::join(join_request& req) {
  return dispatch([&] { return admit(req); });
}

join_outcome room_core::admit(join_request& req) {
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
  } catch (const bad_request& e) {
    result = actors::refuse(e.what()); // the client's payload, not a crash
  } catch (...) {
    // A crashing join refuses that join only; the room and its other members are untouched.
    spdlog::error("room {}: join crashed: {}", topic_, current_exception_text());
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
  if (!admitted)
    return join_outcome::refused;
  try {
    channel_->after_join_member(*admitted);
  } catch (...) {
    crash_member(*admitted, "after_join", current_exception_text());
  }
  return admitted->crashed_ ? join_outcome::refused : join_outcome::admitted;
}

void room_core::leave(caf::actor_id from, const protocol::message& msg) {
  dispatch([&] {
    auto* m = find(from);
    if (!m)
      return;
    send_reply(*m, msg.ref, "ok", empty_object);
    send_control(*m, protocol::events::close, empty_object);
    remove(from, leave_reason::left);
  });
}

void room_core::publish(caf::actor_id from, protocol::message& msg) {
  dispatch([&] {
    auto* m = find(from);
    if (!m)
      return; // raced a leave or a close: the member is gone, so is its reply
    // current_ref() names this message during handle_in only; elsewhere it is empty.
    struct clear_ref {
      reply_ref& ref;
      ~clear_ref() { ref = {}; }
    } clear{current_ref_};
    current_ref_ = reply_ref{from, m->join_ref_, msg.ref};
    in_result result;
    try {
      result = channel_->handle_in_member(msg.event, msg.payload, *m);
    } catch (const bad_request& e) {
      result = actors::error(e.what()); // the client's payload, not a crash
    } catch (...) {
      crash_member(*m, "handle_in", current_exception_text());
      return;
    }
    apply(std::move(result), *m, msg.ref);
  });
}

void room_core::refuse(caf::actor_id from, const protocol::message& msg, std::string_view reason) {
  if (auto* m = find(from))
    send_reply(*m, msg.ref, "error", reason_payload(reason));
}

void room_core::apply(in_result&& result, member_base& m, const boost::json::value& ref) {
  if (result.reply)
    send_reply(m, ref, result.reply->status, result.reply->response);
  if (result.what != in_result::kind::stop || m.crashed_)
    return;
  if (!is_graceful_stop(result.stop_reason))
    return crash_member(m, "handle_in", "channel stopped: " + result.stop_reason);
  send_control(m, protocol::events::close, empty_object);
  self_->send(m.connection_, channel_closed{topic_, m.join_ref_});
  remove(m.id(), leave_reason::stopped);
}

void room_core::connection_down(caf::actor_id who) {
  dispatch([&] { remove(who, leave_reason::closed); });
}

void room_core::remove(caf::actor_id id, leave_reason why) {
  auto i = index_.find(id);
  if (i == index_.end())
    return;
  try {
    channel_->leave_member(*members_[i->second], why);
  } catch (...) {
    // The member is on its way out whatever leave did: finish removing it.
    spdlog::error("room {}: leave ({}) of connection {} crashed: {}", topic_, to_string(why), id,
                  current_exception_text());
    if (why != leave_reason::crashed) // a crashed member was counted when it crashed
      add(metrics::global().channel_crashes_total);
  }
  i = index_.find(id); // leave may broadcast, which never removes a member; look up again anyway
  if (i == index_.end())
    return;
  const auto pos = i->second;
  if (members_[pos]->drain_request_ != 0) // the session need not keep it until it drains
    members_[pos]->port_->cancel_drained_notification(self_->id());
  self_->demonitor(members_[pos]->connection_.address());
  index_.erase(i);
  if (pos + 1 != members_.size()) {
    members_[pos] = std::move(members_.back());
    index_[members_[pos]->id()] = pos;
  }
  members_.pop_back();
}

void room_core::handle_info(const caf::message& msg) {
  dispatch([&] {
    auto unpacked = channel_->handle_info_message(msg);
    if (!unpacked) {
      spdlog::debug("room {}: ignoring an info message of another type than the channel's: {}",
                    topic_, to_string(msg));
      return;
    }
    auto& result = *unpacked;
    if (result.what != in_result::kind::stop)
      return;
    if (!is_graceful_stop(result.stop_reason))
      throw std::runtime_error("channel stopped: " + result.stop_reason);
    // A graceful stop of the whole room (a game that ended): every member's channel closes with
    // phx_close, so clients do not rejoin; the room then goes idle and the registry stops it.
    while (!members_.empty()) {
      auto& m = *members_.back();
      if (m.crashed_) { // it got its phx_error already
        remove(m.id(), leave_reason::crashed);
        continue;
      }
      send_control(m, protocol::events::close, empty_object);
      self_->send(m.connection_, channel_closed{topic_, m.join_ref_});
      remove(m.id(), leave_reason::stopped);
    }
  });
}

void room_core::terminate(std::string_view reason) noexcept {
  try {
    channel_->terminate(reason);
  } catch (...) {
    spdlog::error("room {}: terminate ({}) crashed: {}", topic_, reason, current_exception_text());
  }
}

void room_core::broadcast(std::string_view event, const protocol::payload& payload) {
  dispatch([&] { fanout(nullptr, event, payload); });
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
    // A handle_out that throws crashes that member only. members_ does not change during the
    // loop: crashed members are removed after the message (remove_crashed), not here.
    for (auto& m : members_) {
      if (m.get() == except || m->crashed_)
        continue;
      out_result out;
      try {
        out = channel_->handle_out_member(event, p, *m);
      } catch (...) {
        crash_member(*m, "handle_out", current_exception_text());
        continue;
      }
      if (out.push)
        push(*m, event, *out.push);
    }
    return;
  }
  // Encode and frame once per serializer, lazily, and share the buffer with every member.
  frame_ptr frames[2];
  std::uint64_t delivered = 0;
  for (auto& m : members_) {
    if (m.get() == except || m->crashed_)
      continue;
    auto& frame = frames[static_cast<int>(m->serializer_)];
    if (!frame)
      frame = make_broadcast_frame(m->serializer_, topic_, event, p, route_->on_overflow);
    if (!frame)
      continue;
    const auto result = m->port_->push(frame);
    if (result == push_result::queued)
      ++delivered;
    else if (result == push_result::dropped)
      await_drain(*m);
  }
  auto& stats = metrics::global();
  add(stats.broadcasts_total);
  add(stats.deliveries_total, delivered);
}

push_result room_core::push(const member_base& to, std::string_view event,
                            const protocol::payload& payload) {
  if (to.crashed_)
    return push_result::closed;
  if (!may_send(event))
    return push_result::dropped;
  auto frame = make_push_frame(to.serializer_, to.join_ref_, topic_, event, payload);
  if (!frame) // a binary payload cannot be expressed in V1
    return push_result::dropped;
  return to.port_->push(std::move(frame)); // a push frame is never dropped by overflow policies
}

void room_core::notify_when_drained(const member_base& m) {
  if (auto* member = find(m.id()))
    await_drain(*member);
}

void room_core::await_drain(member_base& m) {
  if (m.drain_request_ != 0 || m.crashed_)
    return;
  m.drain_request_ = next_drain_request_++;
  // Runs on an I/O thread (or here, when drained already): only a send. The room's address is
  // weak, so a waiting session does not keep a stopped room's memory.
  m.port_->notify_when_drained(
    self_->id(), [room = self_->address(), notice = member_drained{m.id(), m.drain_request_}] {
      if (auto dest = caf::actor_cast<room_actor>(room))
        caf::anon_send(dest, notice);
    });
}

void room_core::drained(caf::actor_id connection, std::uint64_t request) {
  dispatch([&] {
    auto* m = find(connection);
    if (!m || m->drain_request_ != request || m->crashed_)
      return; // it left (or rejoined) since it asked
    m->drain_request_ = 0;
    try {
      channel_->drained_member(*m);
    } catch (...) {
      crash_member(*m, "handle_drained", current_exception_text());
    }
  });
}

void room_core::push_each(const std::vector<const member_base*>& to, std::string_view event,
                          const protocol::payload& payload) {
  if (!may_send(event))
    return;
  shared_push frames{topic_, event, payload};
  for (const auto* m : to)
    if (!m->crashed_)
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
  if (m.crashed_)
    return;
  auto frame = make_reply_frame(m.serializer_, m.join_ref_, ref, topic_, status, response);
  if (!frame) // a binary response cannot be expressed in V1
    frame = make_reply_frame(m.serializer_, m.join_ref_, ref, topic_, "error",
                             reason_payload("binary payloads need vsn 2.0.0"));
  m.port_->push(std::move(frame));
}

void room_core::send_control(const member_base& m, std::string_view event,
                             const boost::json::value& p) {
  if (m.crashed_)
    return;
  m.port_->push(make_channel_control_frame(m.serializer_, m.join_ref_, topic_, event, p));
}

void room_core::for_each_member(const std::function<void(member_base&)>& fn) {
  for (auto& m : members_)
    fn(*m);
}

void room_core::send_info(caf::message msg) {
  self_->send(self_, info_message{std::move(msg)});
}

timer_id room_core::send_info_after(std::chrono::milliseconds delay, caf::message msg) {
  auto id = next_timer_++;
  timers_.emplace(id, timer{std::move(msg), std::chrono::milliseconds{0}, {}});
  schedule(id, delay);
  return id;
}

timer_id room_core::send_info_every(std::chrono::milliseconds interval, caf::message msg) {
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
  self_->delayed_send(self_, delay, actors::timer_fired{id});
}

void room_core::timer_fired(timer_id id) {
  dispatch([&] {
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
  });
}

} // namespace switchboard::actors

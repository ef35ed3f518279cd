#pragma once
/// The state and logic of one room actor: its members, its channel object and the helpers the
/// channel calls. Single-threaded: used only from inside its room actor (see room.hpp).
///
/// Crashes: an exception (or an abnormal stop) from a callback run for one member — after_join,
/// handle_in, handle_out, leave — ends that member's channel only: it gets phx_error, its
/// connection forgets the topic, and it leaves (leave_reason::crashed) once the room finished
/// the message being handled, so no callback ever sees a member vanish under it. Exceptions
/// from room-level callbacks (handle_info, timers) propagate: the room actor crashes.

#include "actors/channel.hpp"
#include "actors/interfaces.hpp"
#include "actors/room_context.hpp"
#include "actors/router.hpp"

#include <caf/typed_event_based_actor.hpp>

#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

namespace switchboard::actors {

class room_core final : public room_context {
public:
  room_core(room_actor::pointer self, std::string topic, std::shared_ptr<const route> r);

  /// Runs the channel's join; writes the join reply (and, for a duplicate join, the old
  /// incarnation's phx_close after it). A join past its deadline is not run and gets no reply
  /// here (expired); a duplicate join still ends the old incarnation then. A member whose
  /// after_join crashed is reported refused: the connection must not record the channel.
  join_outcome join(join_request& req);
  /// phx_leave from a member: reply ok, then phx_close, then the member is gone.
  void leave(caf::actor_id from, const protocol::message& msg);
  /// Any other event from a member: handle_in, then its reply or stop.
  void publish(caf::actor_id from, protocol::message& msg);
  /// Answers a member's message with an error reply {"reason": reason} without handling it.
  void refuse(caf::actor_id from, const protocol::message& msg, std::string_view reason);
  /// A member's connection ended.
  void connection_down(caf::actor_id who);
  /// An info_message's content: the channel's handle_info when `msg` holds its Info type,
  /// else logged and ignored. Throws when handle_info throws or stops abnormally (a crash of the
  /// room).
  void handle_info(const caf::message& msg);
  void timer_fired(timer_id id);
  /// A member_drained notice: the channel's handle_drained, unless the member left (or rejoined)
  /// since it asked for `request`.
  void drained(caf::actor_id connection, std::uint64_t request);
  /// The channel's terminate; an exception from it is logged (the room is ending anyway).
  void terminate(std::string_view reason) noexcept;

  /// Number of joins admitted or refused so far (the registry compares it to what it forwarded).
  [[nodiscard]] std::uint64_t joins_seen() const noexcept { return joins_seen_; }
  [[nodiscard]] bool is_member(caf::actor_id id) const { return index_.count(id) != 0; }

  // room_context
  const std::string& topic() const noexcept override { return topic_; }
  void broadcast(std::string_view event, const protocol::payload& payload) override;
  void broadcast_from(const member_base& from, std::string_view event,
                      const protocol::payload& payload) override;
  push_result push(const member_base& to, std::string_view event,
                   const protocol::payload& payload) override;
  void push_each(const std::vector<const member_base*>& to, std::string_view event,
                 const protocol::payload& payload) override;
  reply_ref current_ref() const override { return current_ref_; }
  void reply(const reply_ref& to, std::string_view status,
             const protocol::payload& response) override;
  void cancel_timer(timer_id id) override;
  timer_id call_after(std::chrono::milliseconds delay, std::function<void()> fn) override;
  std::size_t member_count() const noexcept override { return members_.size(); }
  void for_each_member(const std::function<void(member_base&)>& fn) override;
  void notify_when_drained(const member_base& m) override;

private:
  void send_info(caf::message msg) override;
  timer_id send_info_after(std::chrono::milliseconds delay, caf::message msg) override;
  timer_id send_info_every(std::chrono::milliseconds interval, caf::message msg) override;

  struct timer {
    caf::message msg;
    std::chrono::milliseconds interval{0}; ///< 0 = once
    std::function<void()> fn;              ///< call_after: run instead of handle_info(msg)
  };

  /// Runs one message's handling; afterwards, when not nested inside another, removes the
  /// members whose channel crashed meanwhile.
  template <class F>
  auto dispatch(F&& handle) -> decltype(handle());
  join_outcome admit(join_request& req);
  member_base* find(caf::actor_id id);
  /// Ends `m`'s channel after `callback` failed with `what`: phx_error to the member,
  /// channel_closed to its connection; the member is removed later by remove_crashed.
  void crash_member(member_base& m, std::string_view callback, std::string_view what);
  void remove_crashed();
  /// False (and logged) for a reserved `phx_` event the channel has not opted in to send.
  bool may_send(std::string_view event) const;
  void fanout(const member_base* except, std::string_view event, const protocol::payload& p);
  void send_reply(const member_base& m, const boost::json::value& ref, std::string_view status,
                  const protocol::payload& response);
  void send_control(const member_base& m, std::string_view event, const boost::json::value& p);
  void apply(in_result&& result, member_base& m, const boost::json::value& ref);
  void remove(caf::actor_id id, leave_reason why);
  void schedule(timer_id id, std::chrono::milliseconds delay);
  /// Asks `m`'s connection for a member_drained notice, unless one is pending already.
  void await_drain(member_base& m);

  room_actor::pointer self_;
  std::string topic_;
  std::shared_ptr<const route> route_;
  std::unique_ptr<basic_channel> channel_;
  std::vector<std::unique_ptr<member_base>> members_;    ///< dense, for cache-friendly fanout
  std::unordered_map<caf::actor_id, std::size_t> index_; ///< member id → position in members_
  std::uint64_t joins_seen_ = 0;
  reply_ref current_ref_;
  timer_id next_timer_ = 1;
  std::unordered_map<timer_id, timer> timers_;
  std::uint64_t next_drain_request_ = 1;
  std::vector<caf::actor_id> crashed_; ///< crashed members still to remove; empty between messages
  int depth_ = 0;                      ///< nesting of dispatch
};

} // namespace switchboard::actors

#pragma once
/// The state and logic of one room actor: its members, its channel object and the helpers the
/// channel calls. Single-threaded: used only from inside its room actor (see room.hpp).

#include "actors/channel.hpp"
#include "actors/messages.hpp"
#include "actors/room_context.hpp"

#include <caf/event_based_actor.hpp>

#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

namespace switchboard::actors {

class room_core final : public room_context {
public:
  room_core(caf::event_based_actor* self, std::string topic, std::shared_ptr<const route> r);

  /// Runs the channel's join; writes the join reply (and, for a duplicate join, the old
  /// incarnation's phx_close after it). A join past its deadline is not run and gets no reply
  /// here (expired); a duplicate join still ends the old incarnation then.
  join_outcome join(join_request& req);
  /// phx_leave from a member: reply ok, then phx_close, then the member is gone.
  void leave(caf::actor_id from, const protocol::message& msg);
  /// Any other event from a member: handle_in, then its reply or stop.
  void publish(caf::actor_id from, protocol::message& msg);
  /// Answers a member's message with an error reply {"reason": reason} without handling it.
  void refuse(caf::actor_id from, const protocol::message& msg, std::string_view reason);
  /// A member's connection ended.
  void connection_down(caf::actor_id who);
  void handle_info(const caf::message& msg);
  void timer_fired(timer_id id);
  void terminate(std::string_view reason);

  /// Number of joins admitted or refused so far (the registry compares it to what it forwarded).
  [[nodiscard]] std::uint64_t joins_seen() const noexcept { return joins_seen_; }
  [[nodiscard]] bool is_member(caf::actor_id id) const { return index_.count(id) != 0; }

  // room_context
  const std::string& topic() const noexcept override { return topic_; }
  void broadcast(std::string_view event, const protocol::payload& payload) override;
  void broadcast_from(const member_base& from, std::string_view event,
                      const protocol::payload& payload) override;
  void push(const member_base& to, std::string_view event,
            const protocol::payload& payload) override;
  void push_each(const std::vector<const member_base*>& to, std::string_view event,
                 const protocol::payload& payload) override;
  reply_ref current_ref() const override { return current_ref_; }
  void reply(const reply_ref& to, std::string_view status,
             const protocol::payload& response) override;
  timer_id send_after(std::chrono::milliseconds delay, caf::message msg) override;
  timer_id every(std::chrono::milliseconds interval, caf::message msg) override;
  void cancel_timer(timer_id id) override;
  timer_id call_after(std::chrono::milliseconds delay, std::function<void()> fn) override;
  std::size_t member_count() const noexcept override { return members_.size(); }
  void for_each_member(const std::function<void(member_base&)>& fn) override;
  caf::event_based_actor& self() noexcept override { return *self_; }

private:
  struct timer {
    caf::message msg;
    std::chrono::milliseconds interval{0}; ///< 0 = once
    std::function<void()> fn;              ///< call_after: run instead of handle_info(msg)
  };

  member_base* find(caf::actor_id id);
  /// False (and logged) for a reserved `phx_` event the channel has not opted in to send.
  bool may_send(std::string_view event) const;
  void fanout(const member_base* except, std::string_view event, const protocol::payload& p);
  void send_reply(const member_base& m, const boost::json::value& ref, std::string_view status,
                  const protocol::payload& response);
  void send_control(const member_base& m, std::string_view event, const boost::json::value& p);
  void apply(in_result&& result, member_base& m, const boost::json::value& ref);
  void remove(caf::actor_id id, leave_reason why);
  void schedule(timer_id id, std::chrono::milliseconds delay);

  caf::event_based_actor* self_;
  std::string topic_;
  std::shared_ptr<const route> route_;
  std::unique_ptr<basic_channel> channel_;
  std::vector<std::unique_ptr<member_base>> members_; ///< dense, for cache-friendly fanout
  std::unordered_map<caf::actor_id, std::size_t> index_; ///< member id → position in members_
  std::uint64_t joins_seen_ = 0;
  reply_ref current_ref_;
  timer_id next_timer_ = 1;
  std::unordered_map<timer_id, timer> timers_;
};

} // namespace switchboard::actors

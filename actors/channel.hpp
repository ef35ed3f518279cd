#pragma once
/// The behaviour API: write a channel as a class, register it for a topic pattern
/// (docs/behaviors.md). One channel object lives in each room actor, so per-room state is plain
/// members of the class; per-member state is the `MemberState` struct.
///
/// Execution context: every callback runs inside the room actor, one at a time, never
/// concurrently; callbacks must not block.
///
/// Crashes (docs/behaviors.md, Crashes): an exception from a callback run for one member
/// (after_join, handle_in, handle_out, handle_drained, leave), or an abnormal stop from
/// handle_in, ends that member's channel only: it gets phx_error and leaves with
/// leave_reason::crashed; the room, its state and its other members go on. An exception from
/// join refuses that join. An exception or an abnormal stop from handle_info (timers included)
/// crashes the whole room.

#include "actors/channel_results.hpp"
#include "actors/info.hpp"
#include "actors/member.hpp"
#include "actors/params.hpp"
#include "actors/room_context.hpp"

#include <caf/message.hpp>

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string_view>

namespace switchboard::actors {

/// Type-erased channel interface the room drives. Write channels by deriving from `channel<>`.
class basic_channel {
public:
  virtual ~basic_channel() = default;

  /// Events for which broadcasts go through handle_out per member (losing the encode-once fast
  /// path: one encode per member instead of one per serializer).
  [[nodiscard]] virtual bool intercepts(std::string_view /*event*/) const { return false; }
  /// Whether this channel may broadcast or push events with the protocol's `phx_` prefix.
  /// Off by default: phoenix.js takes a `phx_close`, `phx_error` or `phx_reply` it receives as
  /// the server's word about its channel, so such a frame sent by mistake (e.g. relaying a
  /// client's event name) would close or error every member's channel. A refused send is
  /// dropped and logged. Override to return true only in a channel that means to send them.
  [[nodiscard]] virtual bool sends_reserved_events() const { return false; }
  /// Called once when the room stops, with the exit reason as text. An exception is logged.
  virtual void terminate(std::string_view /*reason*/) {}

  [[nodiscard]] virtual std::unique_ptr<member_base> make_member() const = 0;
  virtual join_result join_member(std::string_view topic, const protocol::payload& payload,
                                  member_base& m) = 0;
  virtual void after_join_member(member_base& m) = 0;
  virtual in_result handle_in_member(std::string_view event, const protocol::payload& payload,
                                     member_base& m) = 0;
  virtual out_result handle_out_member(std::string_view event, const protocol::payload& payload,
                                       member_base& m) = 0;
  virtual void leave_member(member_base& m, leave_reason why) = 0;
  virtual void drained_member(member_base& m) = 0;
  /// Unpacks an info message for the typed handle_info; empty when `msg` is not of the
  /// channel's Info type (the room logs and ignores it).
  virtual std::optional<in_result> handle_info_message(const caf::message& msg) = 0;

  /// The room's helpers; valid inside callbacks.
  [[nodiscard]] room_context& room() const noexcept { return *room_; }

private:
  friend class room_core;
  room_context* room_ = nullptr;
};

struct no_member_state {};

/// Derive from this and override the callbacks you need; `join` and `handle_in` are required.
/// `MemberState` is the per-member struct; `Info` is the one type handle_info accepts (a struct,
/// or a std::variant of structs), sent with send_self, send_after and every.
template <class MemberState = no_member_state, class Info = no_info>
class channel : public basic_channel {
public:
  using member_type = member<MemberState>;
  using info_type = Info;

  /// A client asks to join `topic` with `payload`. Accept (optionally with a reply payload) or
  /// refuse with a payload such as {"reason":"unauthorized"}. Push nothing here: the join reply
  /// must be the first frame the member receives; push from after_join.
  virtual join_result join(std::string_view topic, const protocol::payload& payload,
                           member_type& m) = 0;
  /// Runs right after the join reply was written: the place to push to the new member (e.g. the
  /// presence state or history), since nothing may precede the join reply. Throwing ends this
  /// member's channel (phx_error after the join reply).
  virtual void after_join(member_type& /*m*/) {}
  /// An event from a member. Return a reply, noreply, or stop. Throwing, or a stop with a reason
  /// other than normal/shutdown, ends this member's channel only (phx_error).
  virtual in_result handle_in(std::string_view event, const protocol::payload& payload,
                              member_type& m) = 0;
  /// An intercepted broadcast about to reach `m`: push it (possibly rewritten) or skip it.
  /// Throwing ends `m`'s channel only; the other members still get the broadcast.
  virtual out_result handle_out(std::string_view /*event*/, const protocol::payload& payload,
                                member_type& /*m*/) {
    return out_result::push_payload(payload);
  }
  /// `m` is leaving (left, closed, rejoined, stopped or crashed); it is still a member during the
  /// call. An exception is logged and `m` leaves all the same.
  virtual void leave(member_type& /*m*/, leave_reason /*why*/) {}
  /// `m`'s connection has drained its outbound queue (docs/behaviors.md, Backpressure): called
  /// once after a broadcast to `m` was dropped by its connection's overflow policy, or
  /// after room().notify_when_drained(m). The place to resume sending to a slow member. Not
  /// called for a member that left meanwhile. Throwing ends `m`'s channel only.
  virtual void handle_drained(member_type& /*m*/) {}
  /// An info of send_self, send_after or every, run for the room rather than for a member.
  /// Returning a graceful stop ("normal", "shutdown", "shutdown:*") closes every member's channel
  /// with phx_close and stops the room; any other stop reason, or an exception, crashes the room
  /// (every member gets phx_error).
  virtual in_result handle_info(const Info& /*info*/) { return in_result::noreply(); }

protected:
  /// Delivers `info` to handle_info after the current callback, behind the messages already
  /// waiting in the room's mailbox (Phoenix's `send(self(), info)`).
  void send_self(Info info) { room().send_info(make_info_message(std::move(info))); }
  /// Delivers `info` to handle_info once after `delay`; room().cancel_timer(id) stops it.
  timer_id send_after(std::chrono::milliseconds delay, Info info) {
    return room().send_info_after(delay, make_info_message(std::move(info)));
  }
  /// Delivers `info` to handle_info every `interval` until cancelled or the room stops.
  timer_id every(std::chrono::milliseconds interval, Info info) {
    return room().send_info_every(interval, make_info_message(std::move(info)));
  }

  /// Calls `fn` for every member, typed. Linear in members.
  void for_each_member(const std::function<void(member_type&)>& fn) {
    room().for_each_member([&](member_base& m) { fn(static_cast<member_type&>(m)); });
  }

private:
  std::unique_ptr<member_base> make_member() const final { return std::make_unique<member_type>(); }
  join_result join_member(std::string_view topic, const protocol::payload& payload,
                          member_base& m) final {
    return join(topic, payload, static_cast<member_type&>(m));
  }
  void after_join_member(member_base& m) final { after_join(static_cast<member_type&>(m)); }
  in_result handle_in_member(std::string_view event, const protocol::payload& payload,
                             member_base& m) final {
    return handle_in(event, payload, static_cast<member_type&>(m));
  }
  out_result handle_out_member(std::string_view event, const protocol::payload& payload,
                               member_base& m) final {
    return handle_out(event, payload, static_cast<member_type&>(m));
  }
  void leave_member(member_base& m, leave_reason why) final {
    leave(static_cast<member_type&>(m), why);
  }
  void drained_member(member_base& m) final { handle_drained(static_cast<member_type&>(m)); }
  std::optional<in_result> handle_info_message(const caf::message& msg) final {
    if (!msg.match_elements<info_envelope<Info>>())
      return std::nullopt;
    return handle_info(msg.get_as<info_envelope<Info>>(0).value);
  }
};

} // namespace switchboard::actors

#pragma once
/// The helpers a channel calls from inside its callbacks. Implemented by the room actor; every
/// function runs inside the room actor and must only be called from its callbacks.

#include "actors/member.hpp"
#include "actors/outbound.hpp"
#include "protocol/message.hpp"

#include <caf/message.hpp>

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace switchboard::actors {

/// Identifies one client message for a reply sent later (Phoenix's `socket_ref`).
struct reply_ref {
  caf::actor_id member = 0;
  boost::json::value join_ref;
  boost::json::value ref;
};

/// Cancels a timer started with `send_after` or `every`.
using timer_id = std::uint64_t;

template <class MemberState, class Info>
class channel;

class room_context {
public:
  virtual ~room_context() = default;

  [[nodiscard]] virtual const std::string& topic() const noexcept = 0;

  /// Sends `[null, null, topic, event, payload]` to every member. Encoded once per serializer;
  /// linear in members, constant per member. Intercepted events go through handle_out instead.
  /// A reserved `phx_` event is dropped (and logged) unless the channel's
  /// `sends_reserved_events()` says otherwise; the same holds for broadcast_from, push and
  /// push_each.
  virtual void broadcast(std::string_view event, const protocol::payload& payload) = 0;
  /// Like broadcast, excluding `from`.
  virtual void broadcast_from(const member_base& from, std::string_view event,
                              const protocol::payload& payload) = 0;
  /// Sends `[join_ref, null, topic, event, payload]` to one member and says what became of it
  /// (as uWebSockets' send does): `queued` (written in order), `dropped` (a reserved event the
  /// channel may not send, or a binary payload to a V1 client), or `closed` (the member's
  /// connection is closing, or its channel crashed: stop pushing to it).
  virtual push_result push(const member_base& to, std::string_view event,
                           const protocol::payload& payload) = 0;
  /// Sends the same push to each of `to`. The payload is encoded once per serializer; each
  /// member's frame differs only by its join_ref, so it is a copy of the shared encoding with
  /// its own prefix (memory: one payload-sized frame per member until its connection wrote it).
  virtual void push_each(const std::vector<const member_base*>& to, std::string_view event,
                         const protocol::payload& payload) = 0;

  /// The ref of the message being handled, for a reply sent after handle_in returned noreply.
  /// Only handle_in has one: called from any other callback it returns an empty ref, which
  /// reply() ignores.
  [[nodiscard]] virtual reply_ref current_ref() const = 0;
  /// Replies to a saved ref; ignored if that member has left or rejoined since.
  virtual void reply(const reply_ref& to, std::string_view status,
                     const protocol::payload& response) = 0;

  /// Stops a timer of the channel's `send_after` or `every`, or of `call_after`; an id that
  /// fired already (once) or was cancelled is ignored.
  virtual void cancel_timer(timer_id id) = 0;
  /// Runs `fn` inside the room actor once after `delay`, unless cancelled with cancel_timer:
  /// a timer of the room's own helpers (e.g. presence) that never reaches handle_info.
  virtual timer_id call_after(std::chrono::milliseconds delay, std::function<void()> fn) = 0;

  [[nodiscard]] virtual std::size_t member_count() const noexcept = 0;
  virtual void for_each_member(const std::function<void(member_base&)>& fn) = 0;

  /// Has the channel's handle_drained run for `m` once its connection's outbound queue has
  /// drained (docs/behaviors.md, Backpressure), after the current callback if it is drained
  /// already: to pace large pushes, or to learn when a member on a drop_oldest route (whose
  /// drops the room cannot see) caught up. A broadcast to `m` that its connection's overflow
  /// policy dropped asks by itself. One request per member is pending at most: asking again
  /// before handle_drained ran changes nothing.
  virtual void notify_when_drained(const member_base& m) = 0;

private:
  // The type-erased side of channel<>'s typed send_self, send_after and every: `msg` is what
  // make_info_message made of the channel's Info.
  template <class MemberState, class Info>
  friend class channel;
  virtual void send_info(caf::message msg) = 0;
  virtual timer_id send_info_after(std::chrono::milliseconds delay, caf::message msg) = 0;
  virtual timer_id send_info_every(std::chrono::milliseconds interval, caf::message msg) = 0;
};

} // namespace switchboard::actors

#pragma once
/// Builds outbound frames (encoded and WebSocket-framed) for one serializer.
/// Pure functions over protocol/; safe from any thread.

#include "actors/outbound.hpp"
#include "protocol/message.hpp"

#include <boost/json/value.hpp>

#include <string>
#include <string_view>

namespace switchboard::actors {

/// `[null, null, topic, event, payload]` (or V1 object / V2 binary kind 2). Returns nullptr when
/// the payload cannot be expressed in this serializer (binary payload for a V1 client).
[[nodiscard]] frame_ptr make_broadcast_frame(protocol::serializer s, std::string_view topic,
                                             std::string_view event, const protocol::payload& p,
                                             overflow_policy on_overflow = overflow_policy::close);

/// One push for many members (room_context::push_each): the payload is encoded once per
/// serializer and each member's frame is built from that encoding. V1 frames carry no join_ref,
/// so one V1 frame serves everyone; a V2 frame is the shared encoding with the member's join_ref
/// in front (one copy of the encoding per member). Binary payloads are encoded per member.
/// Keeps references to its arguments: use it within their lifetime, on one thread.
class shared_push {
public:
  shared_push(std::string_view topic, std::string_view event, const protocol::payload& p);
  /// `[join_ref, null, topic, event, payload]`; nullptr when `s` cannot express the payload.
  [[nodiscard]] frame_ptr frame_for(protocol::serializer s, const boost::json::value& join_ref);

private:
  std::string_view topic_;
  std::string_view event_;
  const protocol::payload& payload_;
  std::string v2_tail_; ///< the V2 encoding without its leading `[null`; empty until needed
  frame_ptr v1_;
};

/// `[join_ref, null, topic, event, payload]` (V2 binary kind 0 for binary payloads).
[[nodiscard]] frame_ptr make_push_frame(protocol::serializer s, const boost::json::value& join_ref,
                                        std::string_view topic, std::string_view event,
                                        const protocol::payload& p);

/// `[join_ref, ref, topic, "phx_reply", {"status": status, "response": response}]`
/// (V2 binary kind 1 for a binary response).
[[nodiscard]] frame_ptr make_reply_frame(protocol::serializer s, const boost::json::value& join_ref,
                                         const boost::json::value& ref, std::string_view topic,
                                         std::string_view status,
                                         const protocol::payload& response);

/// `[join_ref, join_ref, topic, event, payload]` for phx_close ({}) and phx_error.
[[nodiscard]] frame_ptr make_channel_control_frame(protocol::serializer s,
                                                   const boost::json::value& join_ref,
                                                   std::string_view topic, std::string_view event,
                                                   const boost::json::value& payload);

/// `{"reason": reason}`, the response of every error reply the server itself produces.
[[nodiscard]] boost::json::value reason_payload(std::string_view reason);

} // namespace switchboard::actors

#include "actors/frames.hpp"

#include "protocol/codec.hpp"
#include "protocol/ws_frame.hpp"

#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

namespace switchboard::actors {

namespace {

using protocol::ws_opcode;

frame_ptr make_frame(ws_opcode op, std::string_view encoded, frame_class cls,
                     overflow_policy on_overflow = overflow_policy::close) {
  return std::make_shared<const outbound_frame>(
    outbound_frame{protocol::ws_frame(op, encoded), cls, on_overflow});
}

// Binary frames carry refs as raw strings; a null ref becomes "" as in Phoenix.
std::string ref_text(const boost::json::value& v) {
  if (const auto* s = v.if_string())
    return std::string{s->data(), s->size()};
  return {};
}

} // namespace

frame_ptr make_broadcast_frame(protocol::serializer s, std::string_view topic,
                               std::string_view event, const protocol::payload& p,
                               overflow_policy on_overflow) {
  if (const auto* bin = std::get_if<protocol::binary_payload>(&p)) {
    if (s == protocol::serializer::v1)
      return nullptr;
    auto encoded = protocol::encode_binary_broadcast(topic, event, bin->bytes);
    return encoded ? make_frame(ws_opcode::binary, *encoded, frame_class::broadcast, on_overflow)
                   : nullptr;
  }
  auto text =
    protocol::encode_text(s, nullptr, nullptr, topic, event, std::get<boost::json::value>(p));
  return make_frame(ws_opcode::text, text, frame_class::broadcast, on_overflow);
}

frame_ptr make_push_frame(protocol::serializer s, const boost::json::value& join_ref,
                          std::string_view topic, std::string_view event,
                          const protocol::payload& p) {
  if (const auto* bin = std::get_if<protocol::binary_payload>(&p)) {
    if (s == protocol::serializer::v1)
      return nullptr;
    auto encoded = protocol::encode_binary_push(ref_text(join_ref), topic, event, bin->bytes);
    return encoded ? make_frame(ws_opcode::binary, *encoded, frame_class::control) : nullptr;
  }
  auto text =
    protocol::encode_text(s, join_ref, nullptr, topic, event, std::get<boost::json::value>(p));
  return make_frame(ws_opcode::text, text, frame_class::control);
}

shared_push::shared_push(std::string_view topic, std::string_view event, const protocol::payload& p)
    : topic_(topic), event_(event), payload_(p) {}

frame_ptr shared_push::frame_for(protocol::serializer s, const boost::json::value& join_ref) {
  const auto* json = std::get_if<boost::json::value>(&payload_);
  if (!json)
    return make_push_frame(s, join_ref, topic_, event_, payload_);
  if (s == protocol::serializer::v1) {
    if (!v1_)
      v1_ = make_push_frame(s, join_ref, topic_, event_, payload_);
    return v1_;
  }
  static constexpr std::string_view null_head = "[null";
  if (v2_tail_.empty()) {
    v2_tail_ = protocol::encode_text(s, nullptr, nullptr, topic_, event_, *json);
    v2_tail_.erase(0, null_head.size());
  }
  const auto ref = boost::json::serialize(join_ref);
  return std::make_shared<const outbound_frame>(outbound_frame{
    protocol::ws_frame_of(ws_opcode::text, {"[", ref, v2_tail_}), frame_class::control});
}

frame_ptr make_reply_frame(protocol::serializer s, const boost::json::value& join_ref,
                           const boost::json::value& ref, std::string_view topic,
                           std::string_view status, const protocol::payload& response) {
  if (const auto* bin = std::get_if<protocol::binary_payload>(&response)) {
    if (s == protocol::serializer::v1)
      return nullptr;
    auto encoded =
      protocol::encode_binary_reply(ref_text(join_ref), ref_text(ref), topic, status, bin->bytes);
    return encoded ? make_frame(ws_opcode::binary, *encoded, frame_class::control) : nullptr;
  }
  auto text =
    protocol::encode_reply(s, join_ref, ref, topic, status, std::get<boost::json::value>(response));
  return make_frame(ws_opcode::text, text, frame_class::control);
}

frame_ptr make_channel_control_frame(protocol::serializer s, const boost::json::value& join_ref,
                                     std::string_view topic, std::string_view event,
                                     const boost::json::value& payload) {
  auto text = protocol::encode_text(s, join_ref, join_ref, topic, event, payload);
  return make_frame(ws_opcode::text, text, frame_class::control);
}

boost::json::value reason_payload(std::string_view reason) {
  return boost::json::object{{"reason", reason}};
}

} // namespace switchboard::actors

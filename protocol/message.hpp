#pragma once
/// The Phoenix Channels message model shared by every serializer (docs/protocol.md,
/// docs/protocol.md §1.4, §2.1).

#include <boost/json/value.hpp>

#include <cstdint>
#include <string>
#include <string_view>
#include <variant>

namespace switchboard::protocol {

/// Negotiated from the `vsn` query parameter: no vsn or 1.0.x → v1, 2.0.x → v2.
enum class serializer : std::uint8_t { v1, v2 };

/// Raw bytes of a V2 binary frame payload (docs/protocol.md §3).
struct binary_payload {
  std::string bytes;
  friend bool operator==(const binary_payload&, const binary_payload&) = default;
};

/// A message payload: a JSON value (an object for every server-built payload) or binary bytes.
using payload = std::variant<boost::json::value, binary_payload>;

[[nodiscard]] inline bool is_binary(const payload& p) noexcept {
  return std::holds_alternative<binary_payload>(p);
}

/// One decoded client message. `join_ref` and `ref` are kept as the JSON values the client sent
/// (normally strings or null) because Phoenix echoes them back unchanged.
struct message {
  boost::json::value join_ref;
  boost::json::value ref;
  std::string topic;
  std::string event;
  protocol::payload payload;
};

/// Reserved events and topics.
namespace events {
inline constexpr const char* join = "phx_join";
inline constexpr const char* leave = "phx_leave";
inline constexpr const char* reply = "phx_reply";
inline constexpr const char* close = "phx_close";
inline constexpr const char* error = "phx_error";
inline constexpr const char* heartbeat = "heartbeat";
inline constexpr const char* phoenix_topic = "phoenix";

/// Events with the `phx_` prefix are the protocol's own: phoenix.js treats a `phx_close`,
/// `phx_error` or `phx_reply` it receives as a statement about its channel, whoever sent it. So a
/// client may not send any (besides phx_join and phx_leave, which the connection handles) and a
/// behaviour may not broadcast or push any unless it opts in (docs/behaviors.md).
[[nodiscard]] inline bool is_reserved(std::string_view event) noexcept {
  return event.starts_with("phx_");
}
} // namespace events

} // namespace switchboard::protocol

#pragma once
/// What channel callbacks return. Values, not exceptions: an exception escaping a callback is a
/// crash, of one member's channel or of the whole room depending on the callback (see
/// docs/behaviors.md, Crashes).

#include "protocol/message.hpp"

#include <boost/json/object.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <utility>

namespace switchboard::actors {

/// A reply to one client message: `{"status": status, "response": response}`.
struct reply_payload {
  std::string status = "ok";
  protocol::payload response = boost::json::object{};
};

/// Outcome of `join`.
struct join_result {
  bool accepted = true;
  protocol::payload response = boost::json::object{}; ///< reply payload (refusal map when refused)

  /// Accepted; the join reply carries `response` (default `{}`).
  static join_result accept(protocol::payload response = boost::json::object{}) {
    return {true, std::move(response)};
  }
  /// Refused; the join reply has status "error" and this payload, e.g. {"reason":"unauthorized"}.
  static join_result refuse(protocol::payload response) { return {false, std::move(response)}; }
};

/// Outcome of `handle_in` (and of `handle_info` where only noreply/stop make sense).
struct in_result {
  enum class kind : std::uint8_t { noreply, reply, stop };
  kind what = kind::noreply;
  std::optional<reply_payload> reply;
  /// For stop: "normal", "shutdown" or "shutdown:<anything>" end the member's channel gracefully
  /// (`phx_close`); any other reason is a crash: of that member's channel when returned from
  /// handle_in, of the room when returned from handle_info.
  std::string stop_reason;

  static in_result noreply() { return {}; }
  static in_result ok(protocol::payload response = boost::json::object{}) {
    return {kind::reply, reply_payload{"ok", std::move(response)}, {}};
  }
  static in_result error(protocol::payload response) {
    return {kind::reply, reply_payload{"error", std::move(response)}, {}};
  }
  static in_result reply_with(std::string status, protocol::payload response) {
    return {kind::reply, reply_payload{std::move(status), std::move(response)}, {}};
  }
  static in_result stop(std::string reason, std::optional<reply_payload> reply = std::nullopt) {
    return {kind::stop, std::move(reply), std::move(reason)};
  }
};

/// Outcome of `handle_out` for an intercepted broadcast, per member.
struct out_result {
  std::optional<protocol::payload> push; ///< the payload pushed to this member; nullopt skips it

  static out_result push_payload(protocol::payload p) { return {std::move(p)}; }
  static out_result skip() { return {}; }
};

/// The error reply Phoenix channels answer with: `{"reason": reason}`.
[[nodiscard]] inline in_result error(std::string_view reason) {
  return in_result::error(boost::json::object{{"reason", reason}});
}

/// A refused join with `{"reason": reason}`, e.g. refuse("unauthorized").
[[nodiscard]] inline join_result refuse(std::string_view reason) {
  return join_result::refuse(boost::json::object{{"reason", reason}});
}

/// Why a member leaves its room; handed to `channel::leave`.
enum class leave_reason : std::uint8_t {
  left,           ///< the client sent phx_leave
  closed,         ///< the connection closed
  duplicate_join, ///< the client joined the same topic again
  stopped,        ///< the channel stopped the member (handle_in returned stop)
  crashed,        ///< a callback run for this member threw or returned an abnormal stop
};

[[nodiscard]] const char* to_string(leave_reason r) noexcept;

/// True for the reasons OTP treats as a normal exit: normal, shutdown, shutdown:*.
[[nodiscard]] bool is_graceful_stop(std::string_view reason) noexcept;

} // namespace switchboard::actors

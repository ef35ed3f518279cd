#pragma once
/// Server-side RFC 6455 frame reader: feeds raw socket bytes, yields complete messages and control
/// frames. Pure (no I/O), used only from its session's strand.
///
/// Beast's websocket stream is not used for the data phase because it writes one message per
/// write operation, and its reads may write (pong, close) at any time; the session instead owns
/// every write so it can gather many pre-framed messages into one socket write. Beast still does
/// the HTTP upgrade.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace switchboard::net {

class ws_reader {
public:
  enum class kind : std::uint8_t { text, binary, ping, pong, close };

  struct event {
    enum kind what;
    std::string_view payload;     ///< valid until the next call to feed
    std::uint16_t close_code = 0; ///< for close: the peer's code, 1005 when it sent none
  };

  /// A protocol violation: the session closes the connection with this code and reason.
  struct failure {
    std::uint16_t code = 0; ///< 0 = no failure
    std::string reason;
  };

  explicit ws_reader(std::size_t max_message_bytes) : max_message_bytes_(max_message_bytes) {}

  /// Consumes `bytes`; calls `on_event(const event&)` for each complete message or control frame,
  /// in order. Stops at the first violation and returns it (code 1002 framing or a close code
  /// that must not be sent, 1007 invalid UTF-8 in a text message or close reason, 1009 message
  /// over the limit); later calls do nothing. A fragmented text message fails at the first
  /// fragment that makes it invalid, not at its end. Bytes after a close frame are discarded
  /// unread: a peer sends nothing after its close (RFC 6455 §5.5.1), and a second close must not
  /// pass for the answer to one the session sent.
  template <class OnEvent>
  failure feed(std::string_view bytes, OnEvent&& on_event);

  /// Whether a peer may send `code` in a close frame: 1000-1003 and 1007-1014 (RFC 6455 §7.4.1
  /// and the IANA registry), 3000-4999 (libraries and applications). 0-999, 1004 (reserved),
  /// 1005, 1006 and 1015 (never on the wire), the unassigned rest of 1016-2999 and 5000+ are not.
  [[nodiscard]] static constexpr bool is_valid_close_code(std::uint16_t code) noexcept {
    return (code >= 1000 && code <= 1003) || (code >= 1007 && code <= 1014) ||
           (code >= 3000 && code <= 4999);
  }

  /// Bytes held for an incomplete frame or fragmented message (0 for an idle connection). Until a
  /// failure, below max_message_bytes + 139: a fragmented message at the limit plus a partial
  /// control frame (10-byte length header, 4-byte mask, 124 of at most 125 payload bytes).
  [[nodiscard]] std::size_t buffered_bytes() const noexcept {
    return pending_.size() + message_.size();
  }

private:
  enum class step : std::uint8_t { need_more, fragment, produced, failed };
  /// Parses one frame at the start of `data`; sets `consumed` and, when produced, `out`.
  step parse_one(std::string_view data, std::size_t& consumed, event& out);
  step fail(std::uint16_t code, std::string reason);
  /// Delivers a complete message; its first `valid_prefix` bytes were already checked as UTF-8.
  step deliver(const std::string& payload, std::size_t valid_prefix, event& out);
  /// Checks the complete code points of a fragmented text message not yet checked.
  bool text_so_far_valid();

  std::size_t max_message_bytes_;
  std::string pending_; ///< bytes of an incomplete frame
  std::string message_; ///< payload of a fragmented message so far
  std::string scratch_; ///< unmasked payload of the frame being delivered
  kind message_kind_ = kind::text;
  std::size_t validated_ = 0; ///< bytes of message_ known to be valid UTF-8
  bool in_message_ = false;
  bool closed_ = false; ///< a close frame was delivered
  failure failure_;
};

template <class OnEvent>
ws_reader::failure ws_reader::feed(std::string_view bytes, OnEvent&& on_event) {
  if (failure_.code != 0)
    return failure_;
  if (closed_)
    return {};
  // Parse straight from the input while no partial frame is buffered (the common case).
  std::string_view data = bytes;
  if (!pending_.empty()) {
    pending_.append(bytes);
    data = pending_;
  }
  std::size_t offset = 0;
  for (;;) {
    std::size_t consumed = 0;
    event ev{kind::text, {}, 0};
    auto s = parse_one(data.substr(offset), consumed, ev);
    if (s == step::failed)
      return failure_;
    if (s == step::need_more)
      break;
    offset += consumed;
    if (s != step::produced)
      continue;
    on_event(static_cast<const event&>(ev));
    if (ev.what == kind::close) {
      closed_ = true;
      pending_.clear();
      message_.clear();
      return {};
    }
  }
  if (data.data() == pending_.data())
    pending_.erase(0, offset);
  else
    pending_.assign(data.substr(offset));
  return {};
}

} // namespace switchboard::net

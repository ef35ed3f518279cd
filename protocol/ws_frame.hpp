#pragma once
/// Server-side WebSocket framing (RFC 6455 §5.2). Server frames are unmasked, so the framed bytes
/// of one broadcast are identical for every member: they are built once and shared.

#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>

namespace switchboard::protocol {

enum class ws_opcode : std::uint8_t {
  text = 0x1,
  binary = 0x2,
  close = 0x8,
  ping = 0x9,
  pong = 0xA
};

/// Returns one complete final frame (FIN set, no mask): header (2, 4 or 10 bytes) + payload.
/// Control frames (close, ping, pong) must carry at most 125 bytes (RFC 6455 §5.5; asserted).
/// Any thread.
[[nodiscard]] std::string ws_frame(ws_opcode op, std::string_view payload);

/// Like ws_frame, with the payload given as consecutive parts that are copied once, straight
/// into the frame (a shared encoding with a per-recipient prefix, say). Data frames only.
[[nodiscard]] std::string ws_frame_of(ws_opcode op,
                                      std::initializer_list<std::string_view> payload_parts);

/// A close frame with a status code and a reason (the reason is cut to 123 bytes, the limit).
/// Payload = the code as 2 big-endian bytes + the reason; the cut never splits a UTF-8 sequence.
/// `code` must be one a peer may send (e.g. 1001, 1007, 1011, 1012; never 1005/1006/1015).
[[nodiscard]] std::string ws_close_frame(std::uint16_t code, std::string_view reason);

} // namespace switchboard::protocol

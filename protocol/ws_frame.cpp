#include "protocol/ws_frame.hpp"

#include "protocol/utf8.hpp"

#include <cassert>

namespace switchboard::protocol {

namespace {

constexpr std::size_t max_control_payload = 125;
constexpr std::size_t max_close_reason = max_control_payload - 2; // after the 2-byte status code

std::string frame_header(ws_opcode op, std::uint64_t n, std::size_t reserve_payload) {
  const std::size_t header_size = n < 126 ? 2 : n <= 0xFFFF ? 4 : 10;
  std::string out;
  out.reserve(header_size + reserve_payload);
  out.push_back(static_cast<char>(0x80 | static_cast<std::uint8_t>(op))); // FIN + opcode
  if (n < 126) {
    out.push_back(static_cast<char>(n)); // MASK bit clear: servers never mask
  } else if (n <= 0xFFFF) {
    out.push_back(static_cast<char>(126));
    out.push_back(static_cast<char>((n >> 8) & 0xFF));
    out.push_back(static_cast<char>(n & 0xFF));
  } else {
    out.push_back(static_cast<char>(127));
    for (int shift = 56; shift >= 0; shift -= 8)
      out.push_back(static_cast<char>((n >> shift) & 0xFF));
  }
  return out;
}

} // namespace

std::string ws_frame(ws_opcode op, std::string_view payload) {
  assert((static_cast<std::uint8_t>(op) < 0x8 || payload.size() <= max_control_payload) &&
         "control frames carry at most 125 bytes (RFC 6455 §5.5)");
  auto out = frame_header(op, payload.size(), payload.size());
  out.append(payload);
  return out;
}

std::string ws_frame_of(ws_opcode op, std::initializer_list<std::string_view> payload_parts) {
  assert(static_cast<std::uint8_t>(op) < 0x8 && "data frames only");
  std::size_t n = 0;
  for (auto part : payload_parts)
    n += part.size();
  auto out = frame_header(op, n, n);
  for (auto part : payload_parts)
    out.append(part);
  return out;
}

std::string ws_close_frame(std::uint16_t code, std::string_view reason) {
  const auto cut = utf8_prefix(reason, max_close_reason);
  std::string payload;
  payload.reserve(2 + cut.size());
  payload.push_back(static_cast<char>(code >> 8));
  payload.push_back(static_cast<char>(code & 0xFF));
  payload.append(cut);
  return ws_frame(ws_opcode::close, payload);
}

} // namespace switchboard::protocol

#include "net/ws_reader.hpp"

#include "protocol/utf8.hpp"

#include <cstring>

namespace switchboard::net {

namespace {

constexpr std::uint8_t op_continuation = 0x0;
constexpr std::uint8_t op_text = 0x1;
constexpr std::uint8_t op_binary = 0x2;
constexpr std::uint8_t op_close = 0x8;
constexpr std::uint8_t op_ping = 0x9;
constexpr std::uint8_t op_pong = 0xA;

void unmask(char* p, std::size_t n, const unsigned char key[4]) {
  for (std::size_t i = 0; i < n; ++i)
    p[i] = static_cast<char>(static_cast<unsigned char>(p[i]) ^ key[i & 3]);
}

/// Length of `s` without a trailing code point that is still incomplete (its lead byte wants
/// more bytes than follow it). Whether the bytes are valid is not checked here.
std::size_t complete_prefix(std::string_view s) noexcept {
  const std::size_t n = s.size();
  for (std::size_t k = 1; k <= 3 && k <= n; ++k) {
    const auto b = static_cast<unsigned char>(s[n - k]);
    if ((b & 0xC0) == 0x80)
      continue;
    // A byte that cannot start a sequence (C0, C1, F5-FF) is left in for the check to refuse.
    const std::size_t want = b >= 0xF5 ? 1 : b >= 0xF0 ? 4 : b >= 0xE0 ? 3 : b >= 0xC2 ? 2 : 1;
    return want > k ? n - k : n;
  }
  return n;
}

/// Whether `tail`, an incomplete sequence as split off by complete_prefix, can still become a
/// valid code point: its second byte, if present, must be in the range its lead byte allows.
bool can_complete(std::string_view tail) noexcept {
  if (tail.size() < 2)
    return true;
  const auto b0 = static_cast<unsigned char>(tail[0]);
  const auto b1 = static_cast<unsigned char>(tail[1]);
  const unsigned char lo = b0 == 0xE0 ? 0xA0 : b0 == 0xF0 ? 0x90 : 0x80;
  const unsigned char hi = b0 == 0xED ? 0x9F : b0 == 0xF4 ? 0x8F : 0xBF;
  return b1 >= lo && b1 <= hi;
}

} // namespace

bool ws_reader::text_so_far_valid() {
  const std::string_view all{message_};
  const auto end = complete_prefix(all);
  if (end > validated_) {
    if (!protocol::is_valid_utf8(all.substr(validated_, end - validated_)))
      return false;
    validated_ = end;
  }
  return can_complete(all.substr(end));
}

ws_reader::step ws_reader::fail(std::uint16_t code, std::string reason) {
  failure_ = failure{code, std::move(reason)};
  return step::failed;
}

ws_reader::step ws_reader::parse_one(std::string_view data, std::size_t& consumed, event& out) {
  if (data.size() < 2)
    return step::need_more;
  const auto b0 = static_cast<unsigned char>(data[0]);
  const auto b1 = static_cast<unsigned char>(data[1]);
  const bool fin = b0 & 0x80;
  const std::uint8_t op = b0 & 0x0F;
  if (b0 & 0x70)
    return fail(1002, "reserved bits set");
  if (!(b1 & 0x80))
    return fail(1002, "client frames must be masked");
  const bool control = op & 0x8;
  std::uint64_t len = b1 & 0x7F;
  std::size_t header = 2;
  if (len == 126) {
    if (data.size() < 4)
      return step::need_more;
    len = (static_cast<std::uint64_t>(static_cast<unsigned char>(data[2])) << 8) |
          static_cast<unsigned char>(data[3]);
    header = 4;
  } else if (len == 127) {
    if (data.size() < 10)
      return step::need_more;
    len = 0;
    for (int i = 2; i < 10; ++i)
      len = (len << 8) | static_cast<unsigned char>(data[i]);
    header = 10;
    if (len >> 63) // RFC 6455 §5.2: the most significant bit must be 0
      return fail(1002, "invalid payload length");
  }
  if (control && (!fin || len > 125))
    return fail(1002, "invalid control frame");
  if (!control) {
    if (op != op_continuation && op != op_text && op != op_binary)
      return fail(1002, "unknown opcode");
    if ((op == op_continuation) != in_message_)
      return fail(1002,
                  op == op_continuation ? "unexpected continuation" : "expected continuation");
    // Refuse before buffering: a huge length must not make us wait for (or allocate) it.
    if (len > max_message_bytes_ || message_.size() + len > max_message_bytes_)
      return fail(1009, "frame too big");
  } else if (op != op_close && op != op_ping && op != op_pong) {
    return fail(1002, "unknown opcode");
  }
  if (data.size() - header < 4 + len)
    return step::need_more;
  unsigned char key[4];
  std::memcpy(key, data.data() + header, 4);
  const char* payload = data.data() + header + 4;
  consumed = header + 4 + static_cast<std::size_t>(len);

  const auto n = static_cast<std::size_t>(len);

  if (control) {
    scratch_.assign(payload, n);
    unmask(scratch_.data(), n, key);
    if (op == op_close) {
      if (n == 1)
        return fail(1002, "invalid close payload");
      out.what = kind::close;
      out.close_code = 1005;
      if (n >= 2) {
        out.close_code = static_cast<std::uint16_t>((static_cast<unsigned char>(scratch_[0]) << 8) |
                                                    static_cast<unsigned char>(scratch_[1]));
        if (!is_valid_close_code(out.close_code))
          return fail(1002, "invalid close code");
        if (!protocol::is_valid_utf8(std::string_view{scratch_}.substr(2)))
          return fail(1007, "invalid UTF-8 in close reason");
      }
    } else {
      out.what = op == op_ping ? kind::ping : kind::pong;
    }
    out.payload = scratch_;
    return step::produced;
  }

  if (!in_message_) {
    message_kind_ = op == op_text ? kind::text : kind::binary;
    if (fin) { // the common case: a whole message in one frame, unmasked in place of scratch
      scratch_.assign(payload, n);
      unmask(scratch_.data(), n, key);
      return deliver(scratch_, 0, out);
    }
    in_message_ = true;
    validated_ = 0;
  }
  const auto old = message_.size();
  message_.append(payload, n);
  unmask(message_.data() + old, n, key);
  if (!fin) {
    // Fail fast: a fragment that makes the text invalid ends the connection before the rest.
    if (message_kind_ == kind::text && !text_so_far_valid())
      return fail(1007, "invalid UTF-8 in text message");
    return step::fragment;
  }
  in_message_ = false;
  scratch_.swap(message_);
  message_.clear();
  return deliver(scratch_, validated_, out);
}

ws_reader::step ws_reader::deliver(const std::string& payload, std::size_t valid_prefix,
                                   event& out) {
  if (message_kind_ == kind::text &&
      !protocol::is_valid_utf8(std::string_view{payload}.substr(valid_prefix)))
    return fail(1007, "invalid UTF-8 in text message");
  out.what = message_kind_;
  out.payload = payload;
  return step::produced;
}

} // namespace switchboard::net

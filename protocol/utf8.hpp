#pragma once
/// UTF-8 helpers for the wire layer: validation of client-supplied strings and cutting a string
/// to a byte budget without splitting a code point. Pure functions, safe from any thread.

#include <cstddef>
#include <string_view>

namespace switchboard::protocol {

/// True if `s` is well-formed UTF-8 (RFC 3629: no overlong forms, no surrogates, ≤ U+10FFFF).
[[nodiscard]] constexpr bool is_valid_utf8(std::string_view s) noexcept {
  std::size_t i = 0;
  while (i < s.size()) {
    const auto b0 = static_cast<unsigned char>(s[i]);
    if (b0 < 0x80) {
      ++i;
      continue;
    }
    std::size_t len = 0;
    unsigned char lo = 0x80; // allowed range of the second byte
    unsigned char hi = 0xBF;
    if (b0 >= 0xC2 && b0 <= 0xDF) {
      len = 2;
    } else if (b0 >= 0xE0 && b0 <= 0xEF) {
      len = 3;
      if (b0 == 0xE0)
        lo = 0xA0; // overlong
      if (b0 == 0xED)
        hi = 0x9F; // UTF-16 surrogates
    } else if (b0 >= 0xF0 && b0 <= 0xF4) {
      len = 4;
      if (b0 == 0xF0)
        lo = 0x90; // overlong
      if (b0 == 0xF4)
        hi = 0x8F; // beyond U+10FFFF
    } else {
      return false;
    }
    if (s.size() - i < len)
      return false;
    const auto b1 = static_cast<unsigned char>(s[i + 1]);
    if (b1 < lo || b1 > hi)
      return false;
    for (std::size_t k = 2; k < len; ++k) {
      const auto bk = static_cast<unsigned char>(s[i + k]);
      if (bk < 0x80 || bk > 0xBF)
        return false;
    }
    i += len;
  }
  return true;
}

/// The longest prefix of `s` that is at most `max_bytes` long and does not end inside a
/// multi-byte sequence (only the cut point is adjusted; `s` itself is not validated).
[[nodiscard]] constexpr std::string_view utf8_prefix(std::string_view s,
                                                     std::size_t max_bytes) noexcept {
  if (s.size() <= max_bytes)
    return s;
  std::size_t cut = max_bytes;
  // Back up over continuation bytes (10xxxxxx) so the cut lands on the start of a code point.
  while (cut > 0 && (static_cast<unsigned char>(s[cut]) & 0xC0) == 0x80)
    --cut;
  return s.substr(0, cut);
}

} // namespace switchboard::protocol

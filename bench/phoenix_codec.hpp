// The few Phoenix frames the load generator sends, and an allocation-free
// scanner for the frames it receives (no JSON DOM on the receive path).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace switchboard::bench {

/// The envelope of one received message. Views point into the frame; `ref_null`
/// tells a JSON null from an empty string.
struct incoming {
  std::string_view join_ref;
  std::string_view ref;
  std::string_view topic;
  std::string_view event;
  std::string_view payload;
  bool ref_null = true;
};

/// Splits a V2 array `[join_ref, ref, topic, event, payload]` or a V1 object.
/// False when the text is not a Phoenix message.
[[nodiscard]] bool parse_message(std::string_view text, int vsn, incoming& out);

/// The string value of `"key":"..."` in `json` (first occurrence), or empty.
[[nodiscard]] std::string_view find_string(std::string_view json, std::string_view key);

/// Reads the unsigned integer after `"key":` (first occurrence). `quoted_key`
/// includes the quotes and colon, e.g. `"\"seq\":"`.
[[nodiscard]] bool find_u64(std::string_view json, std::string_view quoted_key, std::uint64_t& out);

/// Appends a client message: a V2 array or a V1 object. `payload` is raw JSON.
void encode_message(std::string& out, int vsn, std::string_view join_ref, std::string_view ref,
                    std::string_view topic, std::string_view event, std::string_view payload);

/// Appends the bench payload `{"t":T,"seq":S,"pub":P,"pad":"xx..."}`, padded so
/// that the whole object is `size` bytes when `size` is larger than its
/// unpadded form.
void encode_probe(std::string& out, std::uint64_t t_ns, std::uint64_t seq, std::uint32_t pub,
                  int size);

} // namespace switchboard::bench

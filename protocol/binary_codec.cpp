// V2 binary frames (docs/protocol.md §3): a kind byte, one length byte per string, the strings
// back to back, then the raw payload.
#include "protocol/codec.hpp"

#include "protocol/utf8.hpp"

#include <array>
#include <initializer_list>

namespace switchboard::protocol {

namespace {

enum class binary_kind : std::uint8_t { push = 0, reply = 1, broadcast = 2 };

constexpr std::size_t max_binary_string = 255;

decode_result failure(std::string reason) {
  return {std::nullopt, std::move(reason)};
}

std::optional<std::string> encode_binary(binary_kind kind,
                                         std::initializer_list<std::string_view> strings,
                                         std::string_view bytes) {
  std::size_t total = 1 + strings.size() + bytes.size();
  for (auto s : strings) {
    if (s.size() > max_binary_string)
      return std::nullopt;
    total += s.size();
  }
  std::string out;
  out.reserve(total);
  out.push_back(static_cast<char>(kind));
  for (auto s : strings)
    out.push_back(static_cast<char>(static_cast<unsigned char>(s.size())));
  for (auto s : strings)
    out.append(s);
  out.append(bytes);
  return out;
}

} // namespace

decode_result decode_binary(serializer s, std::string_view bytes) {
  if (s != serializer::v2)
    return failure("binary frames require serializer V2");
  if (bytes.empty())
    return failure("empty binary frame");
  const auto kind = static_cast<unsigned char>(bytes[0]);
  if (kind != static_cast<unsigned char>(binary_kind::push)) {
    return failure("unknown binary kind " + std::to_string(kind));
  }
  constexpr std::size_t header_size = 5; // kind + join_ref_len, ref_len, topic_len, event_len
  if (bytes.size() < header_size)
    return failure("truncated binary frame header");

  constexpr std::array<const char*, 4> names = {"join_ref", "ref", "topic", "event"};
  std::array<std::string_view, 4> fields;
  std::size_t pos = header_size;
  for (std::size_t i = 0; i < fields.size(); ++i) {
    const std::size_t len = static_cast<unsigned char>(bytes[1 + i]);
    if (bytes.size() - pos < len)
      return failure("truncated binary frame");
    fields[i] = bytes.substr(pos, len);
    pos += len;
    // Text frames can only carry valid UTF-8 (the JSON parser checks it); binary frames must
    // not be a way around that, since these strings are echoed back inside JSON text.
    if (!is_valid_utf8(fields[i]))
      return failure(std::string(names[i]) + " is not valid UTF-8");
  }

  message m;
  m.join_ref = boost::json::string(fields[0]);
  m.ref = boost::json::string(fields[1]);
  m.topic = std::string(fields[2]);
  m.event = std::string(fields[3]);
  m.payload = binary_payload{std::string(bytes.substr(pos))};
  return {std::move(m), {}};
}

std::optional<std::string> encode_binary_push(std::string_view join_ref, std::string_view topic,
                                              std::string_view event, std::string_view bytes) {
  return encode_binary(binary_kind::push, {join_ref, topic, event}, bytes);
}

std::optional<std::string> encode_binary_reply(std::string_view join_ref, std::string_view ref,
                                               std::string_view topic, std::string_view status,
                                               std::string_view bytes) {
  return encode_binary(binary_kind::reply, {join_ref, ref, topic, status}, bytes);
}

std::optional<std::string> encode_binary_broadcast(std::string_view topic, std::string_view event,
                                                   std::string_view bytes) {
  return encode_binary(binary_kind::broadcast, {topic, event}, bytes);
}

} // namespace switchboard::protocol

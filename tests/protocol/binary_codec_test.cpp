#include "protocol/codec.hpp"

#include <doctest/doctest.h>

#include <string>
#include <vector>

namespace json = boost::json;
using namespace switchboard::protocol;

namespace {

std::string bytes(std::initializer_list<int> values) {
  std::string out;
  for (int v : values)
    out.push_back(static_cast<char>(v));
  return out;
}

// A client push (kind 0, four length bytes) as phoenix.js builds it.
std::string client_push(std::string_view join_ref, std::string_view ref, std::string_view topic,
                        std::string_view event, std::string_view payload) {
  std::string out;
  out.push_back(0);
  for (auto s : {join_ref, ref, topic, event})
    out.push_back(static_cast<char>(s.size()));
  for (auto s : {join_ref, ref, topic, event})
    out.append(s);
  out.append(payload);
  return out;
}

const std::string& binary_bytes(const message& m) {
  REQUIRE(is_binary(m.payload));
  return std::get<binary_payload>(m.payload).bytes;
}

const std::string room_lobby = "room:lobby";

} // namespace

TEST_CASE("the observed client binary push decodes into strings and raw payload") {
  const auto frame = bytes({0x00, 0x01, 0x02, 0x0a, 0x03, 0x32, 0x31, 0x31, 0x72, 0x6f, 0x6f, 0x6d,
                            0x3a, 0x6c, 0x6f, 0x62, 0x62, 0x79, 0x62, 0x69, 0x6e, 0x0a, 0x0b});
  const auto r = decode_binary(serializer::v2, frame);
  REQUIRE(r.msg.has_value());
  CHECK(r.error.empty());
  CHECK(r.msg->join_ref == json::value("2"));
  CHECK(r.msg->ref == json::value("11"));
  CHECK(r.msg->topic == room_lobby);
  CHECK(r.msg->event == "bin");
  CHECK(binary_bytes(*r.msg) == bytes({0x0a, 0x0b}));
}

TEST_CASE("binary frames are refused under the V1 serializer") {
  const auto r = decode_binary(serializer::v1, client_push("1", "2", "t", "e", "x"));
  CHECK_FALSE(r.msg.has_value());
  CHECK(r.error == "binary frames require serializer V2");
}

TEST_CASE("a binary frame of a kind other than push is rejected with the kind named") {
  for (int kind : {1, 2, 3, 255}) {
    auto frame = client_push("1", "2", "t", "e", "x");
    frame[0] = static_cast<char>(kind);
    const auto r = decode_binary(serializer::v2, frame);
    CHECK_FALSE(r.msg.has_value());
    CHECK(r.error == "unknown binary kind " + std::to_string(kind));
  }
}

TEST_CASE("an empty binary frame is rejected") {
  const auto r = decode_binary(serializer::v2, "");
  CHECK_FALSE(r.msg.has_value());
  CHECK(r.error == "empty binary frame");
}

TEST_CASE("every truncation of a binary push before its payload is rejected") {
  const auto frame = client_push("12", "345", "room:x", "ev", "");
  for (std::size_t n = 1; n < frame.size(); ++n) {
    const auto r = decode_binary(serializer::v2, std::string_view(frame).substr(0, n));
    INFO("length ", n);
    CHECK_FALSE(r.msg.has_value());
    CHECK(r.error == (n < 5 ? "truncated binary frame header" : "truncated binary frame"));
  }
  const auto whole = decode_binary(serializer::v2, frame);
  REQUIRE(whole.msg.has_value());
  CHECK(binary_bytes(*whole.msg).empty());
}

TEST_CASE("empty strings in a binary push stay empty JSON strings") {
  const auto r = decode_binary(serializer::v2, client_push("", "", "", "", "p"));
  REQUIRE(r.msg.has_value());
  CHECK(r.msg->join_ref == json::value(""));
  CHECK(r.msg->ref == json::value(""));
  CHECK(r.msg->topic.empty());
  CHECK(r.msg->event.empty());
  CHECK(binary_bytes(*r.msg) == "p");
}

TEST_CASE("a binary push with 255-byte strings and arbitrary payload bytes decodes") {
  const std::string long_topic(255, 't');
  const std::string payload = bytes({0x00, 0xff, 0x80, 0x00, 0x7f});
  const auto r = decode_binary(serializer::v2, client_push("1", "2", long_topic, "e", payload));
  REQUIRE(r.msg.has_value());
  CHECK(r.msg->topic == long_topic);
  CHECK(binary_bytes(*r.msg) == payload);
}

TEST_CASE("a binary push with UTF-8 strings decodes and invalid UTF-8 is rejected") {
  const std::string topic = "salle:caf\xc3\xa9";
  const auto ok = decode_binary(serializer::v2, client_push("1", "2", topic, "\xe2\x82\xac", "x"));
  REQUIRE(ok.msg.has_value());
  CHECK(ok.msg->topic == topic);
  CHECK(ok.msg->event == "\xe2\x82\xac");

  const auto bad_topic = decode_binary(serializer::v2, client_push("1", "2", "t\xff", "e", ""));
  CHECK_FALSE(bad_topic.msg.has_value());
  CHECK(bad_topic.error == "topic is not valid UTF-8");
  const auto bad_ref = decode_binary(serializer::v2, client_push("1", "\xc3", "t", "e", ""));
  CHECK(bad_ref.error == "ref is not valid UTF-8");
  const auto bad_join =
    decode_binary(serializer::v2, client_push("\xed\xa0\x80", "1", "t", "e", ""));
  CHECK(bad_join.error == "join_ref is not valid UTF-8");
  const auto bad_event = decode_binary(serializer::v2, client_push("1", "2", "t", "\xc0\xaf", ""));
  CHECK(bad_event.error == "event is not valid UTF-8");
}

TEST_CASE("a binary reply matches the observed bytes") {
  const auto frame = encode_binary_reply("2", "11", room_lobby, "ok", bytes({0x0a, 0x0b, 0xff}));
  REQUIRE(frame.has_value());
  CHECK(*frame == bytes({0x01, 0x01, 0x02, 0x0a, 0x02, 0x32, 0x31, 0x31}) + room_lobby + "ok" +
                    bytes({0x0a, 0x0b, 0xff}));
}

TEST_CASE("a binary push from the server has no ref and matches the observed bytes") {
  const auto frame = encode_binary_push("2", room_lobby, "binpush", bytes({0x01, 0x02, 0x03}));
  REQUIRE(frame.has_value());
  CHECK(*frame ==
        bytes({0x00, 0x01, 0x0a, 0x07, 0x32}) + room_lobby + "binpush" + bytes({0x01, 0x02, 0x03}));
}

TEST_CASE("a binary broadcast matches the observed bytes") {
  const auto frame = encode_binary_broadcast(room_lobby, "binbcast", bytes({0x04, 0x05}));
  REQUIRE(frame.has_value());
  CHECK(*frame == bytes({0x02, 0x0a, 0x08}) + room_lobby + "binbcast" + bytes({0x04, 0x05}));
}

TEST_CASE("binary encoders accept an empty payload and empty strings") {
  CHECK(encode_binary_broadcast("", "", "") == bytes({0x02, 0x00, 0x00}));
  CHECK(encode_binary_push("", "t", "e", "") == bytes({0x00, 0x00, 0x01, 0x01}) + "te");
}

TEST_CASE("binary encoders refuse any string longer than 255 bytes") {
  const std::string ok(255, 'a');
  const std::string too_long(256, 'a');
  CHECK(encode_binary_push(ok, ok, ok, "x").has_value());
  CHECK(encode_binary_push(too_long, "t", "e", "x") == std::nullopt);
  CHECK(encode_binary_push("1", too_long, "e", "x") == std::nullopt);
  CHECK(encode_binary_push("1", "t", too_long, "x") == std::nullopt);
  CHECK(encode_binary_reply(ok, ok, ok, ok, "x").has_value());
  CHECK(encode_binary_reply(too_long, "r", "t", "ok", "") == std::nullopt);
  CHECK(encode_binary_reply("j", too_long, "t", "ok", "") == std::nullopt);
  CHECK(encode_binary_reply("j", "r", too_long, "ok", "") == std::nullopt);
  CHECK(encode_binary_reply("j", "r", "t", too_long, "") == std::nullopt);
  CHECK(encode_binary_broadcast(ok, ok, "x").has_value());
  CHECK(encode_binary_broadcast(too_long, "e", "") == std::nullopt);
  CHECK(encode_binary_broadcast("t", too_long, "") == std::nullopt);
}

TEST_CASE("binary string limits count UTF-8 bytes, not characters") {
  std::string e127, e128; // U+00E9 is two bytes
  for (int i = 0; i < 127; ++i)
    e127 += "\xc3\xa9";
  e128 = e127 + "\xc3\xa9";
  const auto frame = encode_binary_broadcast(e127, "e", "");
  REQUIRE(frame.has_value());
  CHECK(static_cast<unsigned char>((*frame)[1]) == 254);
  CHECK(encode_binary_broadcast(e128, "e", "") == std::nullopt);
}

TEST_CASE("a large binary payload passes through unchanged") {
  std::string payload(100000, '\0');
  for (std::size_t i = 0; i < payload.size(); ++i)
    payload[i] = static_cast<char>(i * 7);
  const auto r = decode_binary(serializer::v2, client_push("1", "2", "t", "e", payload));
  REQUIRE(r.msg.has_value());
  CHECK(binary_bytes(*r.msg) == payload);
  const auto out = encode_binary_broadcast("t", "e", payload);
  REQUIRE(out.has_value());
  CHECK(out->size() == 3 + 2 + payload.size());
  CHECK(out->substr(5) == payload);
}

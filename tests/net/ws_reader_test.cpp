// The server-side RFC 6455 reader: masking, lengths, fragmentation, control frames, violations.

#include "net/ws_reader.hpp"

#include <doctest/doctest.h>

#include <string>
#include <vector>

using switchboard::net::ws_reader;

namespace {

/// A client frame: FIN/opcode byte, masked payload with a fixed key.
std::string client_frame(std::uint8_t first_byte, std::string_view payload, bool masked = true) {
  std::string out;
  out.push_back(static_cast<char>(first_byte));
  const std::uint8_t mask_bit = masked ? 0x80 : 0;
  if (payload.size() < 126) {
    out.push_back(static_cast<char>(mask_bit | payload.size()));
  } else if (payload.size() <= 0xFFFF) {
    out.push_back(static_cast<char>(mask_bit | 126));
    out.push_back(static_cast<char>(payload.size() >> 8));
    out.push_back(static_cast<char>(payload.size() & 0xFF));
  } else {
    out.push_back(static_cast<char>(mask_bit | 127));
    for (int shift = 56; shift >= 0; shift -= 8)
      out.push_back(
        static_cast<char>((static_cast<std::uint64_t>(payload.size()) >> shift) & 0xFF));
  }
  const unsigned char key[4] = {0x12, 0x34, 0x56, 0x78};
  if (masked)
    out.append(reinterpret_cast<const char*>(key), 4);
  for (std::size_t i = 0; i < payload.size(); ++i)
    out.push_back(static_cast<char>(payload[i] ^ (masked ? key[i % 4] : 0)));
  return out;
}

struct collected {
  std::vector<std::pair<ws_reader::kind, std::string>> events;
  std::uint16_t close_code = 0;
  ws_reader::failure failure;
};

collected feed_all(ws_reader& r, const std::vector<std::string>& chunks) {
  collected c;
  for (const auto& chunk : chunks) {
    c.failure = r.feed(chunk, [&](const ws_reader::event& ev) {
      c.events.emplace_back(ev.what, std::string{ev.payload});
      if (ev.what == ws_reader::kind::close)
        c.close_code = ev.close_code;
    });
    if (c.failure.code != 0)
      break;
  }
  return c;
}

} // namespace

TEST_CASE("a masked text frame is delivered unmasked") {
  ws_reader r{1024};
  auto c = feed_all(r, {client_frame(0x81, R"([null,"1","phoenix","heartbeat",{}])")});
  REQUIRE(c.events.size() == 1);
  CHECK(c.events[0].first == ws_reader::kind::text);
  CHECK(c.events[0].second == R"([null,"1","phoenix","heartbeat",{}])");
  CHECK(r.buffered_bytes() == 0);
}

TEST_CASE("frames split at every byte boundary are reassembled") {
  auto frame = client_frame(0x82, std::string(300, 'x'));
  for (std::size_t cut = 1; cut < frame.size(); ++cut) {
    ws_reader r{1024};
    auto c = feed_all(r, {frame.substr(0, cut), frame.substr(cut)});
    REQUIRE(c.events.size() == 1);
    CHECK(c.events[0].first == ws_reader::kind::binary);
    CHECK(c.events[0].second == std::string(300, 'x'));
  }
}

TEST_CASE("several frames in one read are delivered in order") {
  ws_reader r{1024};
  auto c =
    feed_all(r, {client_frame(0x81, "a") + client_frame(0x81, "b") + client_frame(0x89, "p")});
  REQUIRE(c.events.size() == 3);
  CHECK(c.events[0].second == "a");
  CHECK(c.events[1].second == "b");
  CHECK(c.events[2].first == ws_reader::kind::ping);
  CHECK(c.events[2].second == "p");
}

TEST_CASE("16-bit and 64-bit payload lengths are read") {
  ws_reader r{200'000};
  auto c = feed_all(
    r, {client_frame(0x81, std::string(70'000, 'y')), client_frame(0x81, std::string(500, 'z'))});
  REQUIRE(c.events.size() == 2);
  CHECK(c.events[0].second.size() == 70'000);
  CHECK(c.events[1].second.size() == 500);
}

TEST_CASE("a fragmented message is delivered once, with a control frame in between") {
  ws_reader r{1024};
  auto c =
    feed_all(r, {client_frame(0x01, "hel") + client_frame(0x89, "") + client_frame(0x80, "lo")});
  REQUIRE(c.events.size() == 2);
  CHECK(c.events[0].first == ws_reader::kind::ping);
  CHECK(c.events[1].first == ws_reader::kind::text);
  CHECK(c.events[1].second == "hello");
}

TEST_CASE("a close frame carries the peer's code, or 1005 when it has none") {
  ws_reader r{1024};
  auto c = feed_all(r, {client_frame(0x88, std::string("\x03\xe9", 2) + "bye")});
  REQUIRE(c.events.size() == 1);
  CHECK(c.close_code == 1001);
  ws_reader empty{1024};
  auto d = feed_all(empty, {client_frame(0x88, "")});
  CHECK(d.close_code == 1005);
}

TEST_CASE("an unmasked client frame is a protocol error") {
  ws_reader r{1024};
  auto c = feed_all(r, {client_frame(0x81, "x", false)});
  CHECK(c.failure.code == 1002);
  CHECK(c.events.empty());
}

TEST_CASE("a message over the limit is refused with 1009 before its payload arrives") {
  ws_reader r{1024};
  auto frame = client_frame(0x81, std::string(2000, 'a'));
  auto c = feed_all(r, {frame.substr(0, 8)});
  CHECK(c.failure.code == 1009);
}

TEST_CASE("fragments adding up past the limit are refused with 1009") {
  ws_reader r{10};
  auto c = feed_all(r, {client_frame(0x01, "123456") + client_frame(0x80, "789012")});
  CHECK(c.failure.code == 1009);
}

TEST_CASE("invalid UTF-8 in a text message is refused with 1007, not in a binary one") {
  ws_reader r{1024};
  auto c = feed_all(r, {client_frame(0x81, "\xff\xfe")});
  CHECK(c.failure.code == 1007);
  ws_reader b{1024};
  auto d = feed_all(b, {client_frame(0x82, "\xff\xfe")});
  CHECK(d.failure.code == 0);
  CHECK(d.events.size() == 1);
}

TEST_CASE("framing violations are refused with 1002") {
  SUBCASE("reserved bits") {
    ws_reader r{1024};
    CHECK(feed_all(r, {client_frame(0xC1, "x")}).failure.code == 1002);
  }
  SUBCASE("unknown opcode") {
    ws_reader r{1024};
    CHECK(feed_all(r, {client_frame(0x83, "x")}).failure.code == 1002);
  }
  SUBCASE("continuation without a message") {
    ws_reader r{1024};
    CHECK(feed_all(r, {client_frame(0x80, "x")}).failure.code == 1002);
  }
  SUBCASE("a new message inside a fragmented one") {
    ws_reader r{1024};
    CHECK(feed_all(r, {client_frame(0x01, "a") + client_frame(0x81, "b")}).failure.code == 1002);
  }
  SUBCASE("a fragmented control frame") {
    ws_reader r{1024};
    CHECK(feed_all(r, {client_frame(0x09, "p")}).failure.code == 1002);
  }
  SUBCASE("a control frame over 125 bytes") {
    ws_reader r{1024};
    CHECK(feed_all(r, {client_frame(0x89, std::string(126, 'p'))}).failure.code == 1002);
  }
}

TEST_CASE("after a violation the reader delivers nothing more") {
  ws_reader r{1024};
  auto c = feed_all(r, {client_frame(0x81, "x", false), client_frame(0x81, "y")});
  CHECK(c.failure.code == 1002);
  CHECK(c.events.empty());
}

namespace {

std::string close_payload(std::uint16_t code, std::string_view reason = "") {
  std::string out{static_cast<char>(code >> 8), static_cast<char>(code & 0xFF)};
  out.append(reason);
  return out;
}

} // namespace

TEST_CASE("close codes a peer may send are delivered") {
  for (std::uint16_t code : {1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 1012, 1013, 1014,
                             3000, 3999, 4000, 4999}) {
    CAPTURE(code);
    ws_reader r{1024};
    auto c = feed_all(r, {client_frame(0x88, close_payload(code, "bye"))});
    CHECK(c.failure.code == 0);
    REQUIRE(c.events.size() == 1);
    CHECK(c.close_code == code);
    CHECK(c.events[0].second == close_payload(code, "bye"));
  }
}

TEST_CASE("close codes that must not appear on the wire are refused with 1002") {
  for (std::uint16_t code :
       {0, 1, 999, 1004, 1005, 1006, 1015, 1016, 1100, 2000, 2999, 5000, 65535}) {
    CAPTURE(code);
    ws_reader r{1024};
    auto c = feed_all(r, {client_frame(0x88, close_payload(code))});
    CHECK(c.failure.code == 1002);
    CHECK(c.events.empty());
  }
}

TEST_CASE("is_valid_close_code draws the boundaries of each range") {
  static_assert(!ws_reader::is_valid_close_code(999));
  static_assert(ws_reader::is_valid_close_code(1000));
  static_assert(ws_reader::is_valid_close_code(1003));
  static_assert(!ws_reader::is_valid_close_code(1004));
  static_assert(!ws_reader::is_valid_close_code(1006));
  static_assert(ws_reader::is_valid_close_code(1007));
  static_assert(ws_reader::is_valid_close_code(1014));
  static_assert(!ws_reader::is_valid_close_code(1015));
  static_assert(!ws_reader::is_valid_close_code(2999));
  static_assert(ws_reader::is_valid_close_code(3000));
  static_assert(ws_reader::is_valid_close_code(4999));
  static_assert(!ws_reader::is_valid_close_code(5000));
  CHECK(!ws_reader::is_valid_close_code(0));
  CHECK(ws_reader::is_valid_close_code(1000));
}

TEST_CASE("a close reason is checked only after a valid code") {
  ws_reader r{1024};
  CHECK(feed_all(r, {client_frame(0x88, close_payload(1000, "\xff"))}).failure.code == 1007);
  ws_reader s{1024};
  CHECK(feed_all(s, {client_frame(0x88, close_payload(1004, "\xff"))}).failure.code == 1002);
}

TEST_CASE("a 64-bit payload length with the most significant bit set is refused with 1002") {
  ws_reader r{1024};
  std::string frame{"\x82\xff\x80\x00\x00\x00\x00\x00\x00\x01", 10};
  frame.append("\x12\x34\x56\x78x", 5);
  auto c = feed_all(r, {frame});
  CHECK(c.failure.code == 1002);
}

TEST_CASE("bytes after a close frame are discarded, even a second close or a violation") {
  ws_reader r{1024};
  auto c =
    feed_all(r, {client_frame(0x88, close_payload(1000)) + client_frame(0x88, close_payload(1001)) +
                 client_frame(0x89, "late") + client_frame(0x81, "x", false)});
  CHECK(c.failure.code == 0);
  REQUIRE(c.events.size() == 1);
  CHECK(c.close_code == 1000);
  auto d = feed_all(r, {client_frame(0x81, "more"), "\xff\xff"});
  CHECK(d.failure.code == 0);
  CHECK(d.events.empty());
  CHECK(r.buffered_bytes() == 0);
}

TEST_CASE("a close frame inside a fragmented message ends it: later fragments are discarded") {
  ws_reader r{1024};
  auto c =
    feed_all(r, {client_frame(0x01, "hel") + client_frame(0x88, "") + client_frame(0x80, "lo")});
  CHECK(c.failure.code == 0);
  REQUIRE(c.events.size() == 1);
  CHECK(c.events[0].first == ws_reader::kind::close);
  CHECK(r.buffered_bytes() == 0);
}

TEST_CASE("a fragment that makes a text message invalid UTF-8 fails before the message ends") {
  SUBCASE("an invalid byte in the first fragment") {
    ws_reader r{1024};
    CHECK(feed_all(r, {client_frame(0x01, "ok\xff")}).failure.code == 1007);
  }
  SUBCASE("a code point above U+10FFFF in a middle fragment") {
    ws_reader r{1024};
    auto c = feed_all(r, {client_frame(0x01, "valid"), client_frame(0x00, "\xf4\x90\x80\x80")});
    CHECK(c.failure.code == 1007);
  }
  SUBCASE("a surrogate whose bytes are split across fragments") {
    ws_reader r{1024};
    auto c = feed_all(r, {client_frame(0x01, "a\xed"), client_frame(0x00, "\xa0\x80")});
    CHECK(c.failure.code == 1007);
  }
  SUBCASE("a binary message is not checked") {
    ws_reader r{1024};
    auto c = feed_all(r, {client_frame(0x02, "\xff"), client_frame(0x80, "\xfe")});
    CHECK(c.failure.code == 0);
    CHECK(c.events.size() == 1);
  }
}

TEST_CASE("code points split across fragments at every byte are valid") {
  const std::string text = "a\xce\xba\xe2\x82\xac\xf0\x9f\x98\x80z"; // a κ € 😀 z
  std::string frames;
  for (std::size_t i = 0; i < text.size(); ++i)
    frames += client_frame(
      static_cast<std::uint8_t>((i == 0 ? 0x01 : 0x00) | (i + 1 == text.size() ? 0x80 : 0)),
      text.substr(i, 1));
  ws_reader r{1024};
  auto c = feed_all(r, {frames});
  CHECK(c.failure.code == 0);
  REQUIRE(c.events.size() == 1);
  CHECK(c.events[0].second == text);
}

TEST_CASE("a fragmented text message ending inside a code point fails with 1007") {
  ws_reader r{1024};
  auto c = feed_all(r, {client_frame(0x01, "ok\xe2"), client_frame(0x80, "\x82")});
  CHECK(c.failure.code == 1007);
  ws_reader s{1024};
  auto d = feed_all(
    s, {client_frame(0x01, "ok"), client_frame(0x00, "\xe2\x82"), client_frame(0x80, "\xac")});
  CHECK(d.failure.code == 0);
  REQUIRE(d.events.size() == 1);
  CHECK(d.events[0].second == "ok\xe2\x82\xac");
}

TEST_CASE("UTF-8 checking starts afresh for each fragmented message") {
  ws_reader r{1024};
  auto c = feed_all(r, {client_frame(0x01, "\xce") + client_frame(0x80, "\xba") +
                        client_frame(0x01, "\xe2\x82") + client_frame(0x80, "\xac")});
  CHECK(c.failure.code == 0);
  REQUIRE(c.events.size() == 2);
  CHECK(c.events[1].second == "\xe2\x82\xac");
}

TEST_CASE("an unfinished sequence that can no longer become valid fails at its fragment") {
  for (std::string_view tail : {"\xf4\x90", "\xed\xa0", "\xe0\x80", "\xf0\x80\x80"}) {
    CAPTURE(tail);
    ws_reader r{1024};
    auto c = feed_all(r, {client_frame(0x01, "ok"), client_frame(0x00, std::string{tail})});
    CHECK(c.failure.code == 1007);
  }
  for (std::string_view tail : {"\xf4\x8f", "\xed\x9f", "\xe0\xa0", "\xf0\x90\x80", "\xc2"}) {
    CAPTURE(tail);
    ws_reader r{1024};
    auto c = feed_all(r, {client_frame(0x01, "ok"), client_frame(0x00, std::string{tail})});
    CHECK(c.failure.code == 0);
  }
}

TEST_CASE("a partial control frame can be buffered next to a fragmented message at the limit") {
  // The largest buffered_bytes() the reader allows (found by tests/fuzz/ws_reader.cpp): a
  // fragmented message holding max_message_bytes, then a ping with a 64-bit length field (legal
  // though not minimal), its mask and 124 of its 125 payload bytes.
  ws_reader r{200};
  std::string ping = {'\x89', '\xFF', 0, 0, 0, 0, 0, 0, 0, 125, 1, 2, 3, 4};
  ping.append(125, 'p');
  const auto fragment = client_frame(0x02, std::string(200, 'x'));
  auto c = feed_all(r, {fragment, ping.substr(0, ping.size() - 1)});
  CHECK(c.failure.code == 0);
  CHECK(c.events.empty());
  CHECK(r.buffered_bytes() == 200 + 10 + 4 + 124);
  c = feed_all(r, {ping.substr(ping.size() - 1)});
  REQUIRE(c.events.size() == 1);
  CHECK(c.events[0].first == ws_reader::kind::ping);
  CHECK(r.buffered_bytes() == 200);
}

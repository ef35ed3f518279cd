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
      out.push_back(static_cast<char>((static_cast<std::uint64_t>(payload.size()) >> shift) & 0xFF));
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
  auto c = feed_all(r, {client_frame(0x81, "a") + client_frame(0x81, "b") + client_frame(0x89, "p")});
  REQUIRE(c.events.size() == 3);
  CHECK(c.events[0].second == "a");
  CHECK(c.events[1].second == "b");
  CHECK(c.events[2].first == ws_reader::kind::ping);
  CHECK(c.events[2].second == "p");
}

TEST_CASE("16-bit and 64-bit payload lengths are read") {
  ws_reader r{200'000};
  auto c = feed_all(r, {client_frame(0x81, std::string(70'000, 'y')), client_frame(0x81, std::string(500, 'z'))});
  REQUIRE(c.events.size() == 2);
  CHECK(c.events[0].second.size() == 70'000);
  CHECK(c.events[1].second.size() == 500);
}

TEST_CASE("a fragmented message is delivered once, with a control frame in between") {
  ws_reader r{1024};
  auto c = feed_all(r, {client_frame(0x01, "hel") + client_frame(0x89, "") + client_frame(0x80, "lo")});
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

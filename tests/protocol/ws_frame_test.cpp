#include "protocol/ws_frame.hpp"

#include "protocol/utf8.hpp"

#include <doctest/doctest.h>

#include <string>

using namespace switchboard::protocol;

namespace {

std::string bytes(std::initializer_list<int> values) {
  std::string out;
  for (int v : values)
    out.push_back(static_cast<char>(v));
  return out;
}

unsigned byte_at(const std::string& s, std::size_t i) {
  return static_cast<unsigned char>(s.at(i));
}

} // namespace

TEST_CASE("a short text frame has FIN set, no mask and a 7-bit length") {
  CHECK(ws_frame(ws_opcode::text, "hi") == bytes({0x81, 0x02}) + "hi");
}

TEST_CASE("each opcode is written into the low bits of the first byte") {
  CHECK(byte_at(ws_frame(ws_opcode::text, ""), 0) == 0x81);
  CHECK(byte_at(ws_frame(ws_opcode::binary, ""), 0) == 0x82);
  CHECK(byte_at(ws_frame(ws_opcode::close, ""), 0) == 0x88);
  CHECK(byte_at(ws_frame(ws_opcode::ping, ""), 0) == 0x89);
  CHECK(byte_at(ws_frame(ws_opcode::pong, ""), 0) == 0x8A);
}

TEST_CASE("an empty payload gives a two-byte frame") {
  CHECK(ws_frame(ws_opcode::binary, "") == bytes({0x82, 0x00}));
}

TEST_CASE("payload lengths choose the 7-bit, 16-bit or 64-bit length form") {
  const auto f125 = ws_frame(ws_opcode::text, std::string(125, 'a'));
  CHECK(f125.size() == 2 + 125);
  CHECK(byte_at(f125, 1) == 125);

  const auto f126 = ws_frame(ws_opcode::text, std::string(126, 'a'));
  CHECK(f126.size() == 4 + 126);
  CHECK(f126.substr(0, 4) == bytes({0x81, 126, 0x00, 0x7E}));

  const auto f65535 = ws_frame(ws_opcode::binary, std::string(65535, 'b'));
  CHECK(f65535.size() == 4 + 65535);
  CHECK(f65535.substr(0, 4) == bytes({0x82, 126, 0xFF, 0xFF}));

  const auto f65536 = ws_frame(ws_opcode::binary, std::string(65536, 'c'));
  CHECK(f65536.size() == 10 + 65536);
  CHECK(f65536.substr(0, 10) == bytes({0x82, 127, 0, 0, 0, 0, 0, 0x01, 0x00, 0x00}));
  CHECK(f65536.substr(10) == std::string(65536, 'c'));
}

TEST_CASE("server frames never set the mask bit") {
  for (std::size_t n : {0u, 1u, 125u, 126u, 70000u}) {
    CHECK((byte_at(ws_frame(ws_opcode::text, std::string(n, 'x')), 1) & 0x80) == 0);
  }
}

TEST_CASE("a close frame carries the big-endian status code then the reason") {
  CHECK(ws_close_frame(1007, "invalid JSON") == bytes({0x88, 14, 0x03, 0xEF}) + "invalid JSON");
  CHECK(ws_close_frame(1001, "") == bytes({0x88, 0x02, 0x03, 0xE9}));
  CHECK(ws_close_frame(4000, "x") == bytes({0x88, 0x03, 0x0F, 0xA0}) + "x");
}

TEST_CASE("a close reason is cut to 123 bytes so the payload stays within 125") {
  const auto frame = ws_close_frame(1011, std::string(300, 'r'));
  CHECK(byte_at(frame, 1) == 125);
  CHECK(frame.size() == 2 + 125);
  CHECK(frame.substr(4) == std::string(123, 'r'));
}

TEST_CASE("a close reason is never cut inside a UTF-8 sequence") {
  std::string two, three, four;
  for (int i = 0; i < 100; ++i) {
    two += "\xc3\xa9";          // 2 bytes: 123 is odd, so 122 remain
    three += "\xe2\x82\xac";    // 3 bytes: 123 is a multiple of 3
    four += "\xf0\x9f\x98\x80"; // 4 bytes: 120 remain
  }
  const auto f2 = ws_close_frame(1007, two);
  CHECK(f2.size() - 4 == 122);
  CHECK(is_valid_utf8(f2.substr(4)));
  const auto f3 = ws_close_frame(1007, three);
  CHECK(f3.size() - 4 == 123);
  CHECK(is_valid_utf8(f3.substr(4)));
  const auto f4 = ws_close_frame(1007, four);
  CHECK(f4.size() - 4 == 120);
  CHECK(is_valid_utf8(f4.substr(4)));
  CHECK(byte_at(f4, 1) == 122);
}

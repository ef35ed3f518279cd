#include "protocol/utf8.hpp"

#include <doctest/doctest.h>

#include <string>

using namespace switchboard::protocol;

TEST_CASE("well-formed UTF-8 is accepted") {
  CHECK(is_valid_utf8(""));
  CHECK(is_valid_utf8("plain ascii"));
  CHECK(is_valid_utf8(std::string_view("nul\0inside", 10)));
  CHECK(is_valid_utf8("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80"));
  CHECK(is_valid_utf8("\xed\x9f\xbf"));     // U+D7FF, just below the surrogates
  CHECK(is_valid_utf8("\xf4\x8f\xbf\xbf")); // U+10FFFF, the last code point
}

TEST_CASE("malformed UTF-8 is rejected") {
  CHECK_FALSE(is_valid_utf8("\xff"));
  CHECK_FALSE(is_valid_utf8("\x80"));             // lone continuation byte
  CHECK_FALSE(is_valid_utf8("\xc3"));             // truncated sequence
  CHECK_FALSE(is_valid_utf8("\xe2\x82"));         // truncated sequence
  CHECK_FALSE(is_valid_utf8("\xc0\xaf"));         // overlong '/'
  CHECK_FALSE(is_valid_utf8("\xe0\x80\xaf"));     // overlong
  CHECK_FALSE(is_valid_utf8("\xf0\x80\x80\xaf")); // overlong
  CHECK_FALSE(is_valid_utf8("\xed\xa0\x80"));     // UTF-16 surrogate U+D800
  CHECK_FALSE(is_valid_utf8("\xf4\x90\x80\x80")); // above U+10FFFF
  CHECK_FALSE(is_valid_utf8("\xc3\x28"));         // bad continuation
}

TEST_CASE("utf8_prefix never cuts inside a multi-byte sequence") {
  CHECK(utf8_prefix("abc", 5) == "abc");
  CHECK(utf8_prefix("abc", 2) == "ab");
  CHECK(utf8_prefix("a\xc3\xa9", 2) == "a");
  CHECK(utf8_prefix("a\xc3\xa9", 3) == "a\xc3\xa9");
  CHECK(utf8_prefix("\xf0\x9f\x98\x80x", 3).empty());
  CHECK(utf8_prefix("\xf0\x9f\x98\x80x", 4) == "\xf0\x9f\x98\x80");
  CHECK(utf8_prefix("\xe2\x82\xac", 0).empty());
}

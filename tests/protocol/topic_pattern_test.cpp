#include "protocol/topic_pattern.hpp"

#include <doctest/doctest.h>

using namespace switchboard::protocol;

namespace {

topic_pattern parse_ok(std::string_view text) {
  std::string error;
  auto p = topic_pattern::parse(text, error);
  INFO("pattern: ", std::string(text), " error: ", error);
  REQUIRE(p.has_value());
  CHECK(error.empty());
  return *p;
}

std::string parse_error(std::string_view text) {
  std::string error;
  auto p = topic_pattern::parse(text, error);
  INFO("pattern: ", std::string(text));
  CHECK_FALSE(p.has_value());
  CHECK_FALSE(error.empty());
  return error;
}

} // namespace

TEST_CASE("an exact pattern matches only the identical topic") {
  const auto p = parse_ok("room:lobby");
  CHECK(p.matches("room:lobby"));
  CHECK_FALSE(p.matches("room:lobby2"));
  CHECK_FALSE(p.matches("room:lobb"));
  CHECK_FALSE(p.matches("room:"));
  CHECK_FALSE(p.matches("Room:lobby"));
  CHECK_FALSE(p.matches(""));
}

TEST_CASE("a pattern ending in * matches every topic with that prefix") {
  const auto p = parse_ok("room:*");
  CHECK(p.matches("room:42"));
  CHECK(p.matches("room:a:b:c"));
  CHECK(p.matches("room:")); // Phoenix's "room:" <> _rest also matches an empty rest
  CHECK(p.matches("room:*"));
  CHECK_FALSE(p.matches("room"));
  CHECK_FALSE(p.matches("rooms:1"));
  CHECK_FALSE(p.matches("ROOM:1"));
  CHECK_FALSE(p.matches(""));
}

TEST_CASE("a lone * matches every topic") {
  const auto p = parse_ok("*");
  CHECK(p.matches(""));
  CHECK(p.matches("phoenix"));
  CHECK(p.matches("room:lobby"));
}

TEST_CASE("unicode patterns compare bytes exactly") {
  const auto p = parse_ok("salle:caf\xc3\xa9:*");
  CHECK(p.matches("salle:caf\xc3\xa9:1"));
  CHECK_FALSE(p.matches("salle:cafe:1"));
}

TEST_CASE("a parsed pattern keeps its original text") {
  CHECK(parse_ok("room:*").text() == "room:*");
  CHECK(parse_ok("exact").text() == "exact");
}

TEST_CASE("an empty pattern is rejected") {
  CHECK(parse_error("") == "topic pattern must not be empty");
}

TEST_CASE("a * anywhere but the last character is rejected") {
  for (const char* text : {"*room", "ro*om", "room:*:x", "**", "a**"}) {
    CHECK(parse_error(text).starts_with("'*' is only allowed as the last character"));
  }
}

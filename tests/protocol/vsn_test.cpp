#include "protocol/codec.hpp"

#include <doctest/doctest.h>

using namespace switchboard::protocol;

TEST_CASE("a missing vsn selects the V1 serializer") {
  CHECK(negotiate_serializer(std::nullopt) == serializer::v1);
}

TEST_CASE("versions 1.0.x select V1 and 2.0.x select V2") {
  for (const char* v : {"1.0.0", "1.0.1", "1.0.10", "1.0.99999999999999999999999"}) {
    CHECK(negotiate_serializer(std::string_view(v)) == serializer::v1);
  }
  for (const char* v : {"2.0.0", "2.0.1", "2.0.42"}) {
    CHECK(negotiate_serializer(std::string_view(v)) == serializer::v2);
  }
}

TEST_CASE("build metadata does not affect the negotiated serializer") {
  CHECK(negotiate_serializer("2.0.0+build.7") == serializer::v2);
  CHECK(negotiate_serializer("1.0.0+20240101.amd64") == serializer::v1);
  CHECK(negotiate_serializer("2.0.0+") == std::nullopt);
  CHECK(negotiate_serializer("2.0.0+a..b") == std::nullopt);
  CHECK(negotiate_serializer("2.0.0+a_b") == std::nullopt);
}

TEST_CASE("a pre-release above x.0.0 matches like Elixir's Version.match? default") {
  CHECK(negotiate_serializer("2.0.1-rc.1") == serializer::v2);
  CHECK(negotiate_serializer("1.0.3-beta-2+b") == serializer::v1);
  // x.0.0-pre sorts before x.0.0, below the lower bound of "~> x.0.0".
  CHECK(negotiate_serializer("2.0.0-rc.1") == std::nullopt);
  CHECK(negotiate_serializer("1.0.0-rc.1") == std::nullopt);
}

TEST_CASE("versions outside ~> 1.0.0 and ~> 2.0.0 are refused") {
  for (const char* v : {"3.0.0", "2.1.0", "1.1.0", "0.0.0", "0.9.9", "10.0.0", "2.10.0"}) {
    CHECK(negotiate_serializer(std::string_view(v)) == std::nullopt);
  }
}

TEST_CASE("strings that are not semantic versions are refused") {
  for (const char* v :
       {"",       "2",      "2.0",     "2.0.0.0",         "abc",         "v2.0.0",
        " 2.0.0", "2.0.0 ", "02.0.0",  "2.00.0",          "2.0.01",      "2..0",
        "2.0.",   ".2.0.0", "2.0.0-",  "2.0.0-rc..1",     "2.0.0-rc.01", "2.0.0-r_c",
        "2.0.x",  "-2.0.0", "2.0.0\n", "\xef\xbc\x92.0.0"}) {
    INFO("vsn: ", v);
    CHECK(negotiate_serializer(std::string_view(v)) == std::nullopt);
  }
}

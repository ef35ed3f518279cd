#include "protocol/codec.hpp"
#include "protocol/json_writer.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <doctest/doctest.h>

#include <cmath>
#include <limits>
#include <random>
#include <string>

namespace json = boost::json;
using namespace switchboard::protocol;

namespace {

std::string write(const json::value& v) {
  std::string out;
  detail::append_json_value(out, v);
  return out;
}

// Strict RFC 8259: no comments, no trailing commas, no Infinity/NaN, valid UTF-8.
bool parses_strictly(const std::string& text) {
  json::error_code ec;
  json::parse(text, ec);
  return !ec;
}

bool has_non_finite(const json::value& v) {
  if (v.is_double())
    return !std::isfinite(v.get_double());
  if (v.is_array())
    for (const auto& e : v.get_array())
      if (has_non_finite(e))
        return true;
  if (v.is_object())
    for (const auto& m : v.get_object())
      if (has_non_finite(m.value()))
        return true;
  return false;
}

/// Random JSON values, including the doubles JSON cannot carry and strings with every kind of
/// character the escaper handles (controls, quotes, backslashes, multi-byte UTF-8).
class value_generator {
public:
  explicit value_generator(unsigned seed) : rng_(seed) {}

  json::value make(int depth) {
    switch (pick(depth > 0 ? 9 : 7)) {
      case 0: return nullptr;
      case 1: return pick(2) == 1;
      case 2: return static_cast<std::int64_t>(rng_());
      case 3: return std::numeric_limits<std::uint64_t>::max() - pick(1000);
      case 4: return make_double();
      case 5:
      case 6: return json::string(make_string());
      case 7: {
        json::array a;
        for (int n = pick(5); n > 0; --n)
          a.push_back(make(depth - 1));
        return a;
      }
      default: {
        json::object o;
        for (int n = pick(5); n > 0; --n)
          o[make_string()] = make(depth - 1);
        return o;
      }
    }
  }

private:
  int pick(int n) { return static_cast<int>(rng_() % static_cast<unsigned>(n)); }

  double make_double() {
    constexpr double inf = std::numeric_limits<double>::infinity();
    const double specials[] = {inf,     -inf,   std::nan(""),
                               0.0,     -0.0,   1e308,
                               -1e-308, 5e-324, std::numeric_limits<double>::max(),
                               0.1};
    if (pick(2) == 0)
      return specials[pick(10)];
    std::uniform_real_distribution<double> d(-1e12, 1e12);
    return d(rng_);
  }

  std::string make_string() {
    static const char* pieces[] = {"a",
                                   "Z",
                                   "\"",
                                   "\\",
                                   "/",
                                   "\n",
                                   "\t",
                                   "\x01",
                                   "\x1f",
                                   " ",
                                   "\xc3\xa9",
                                   "\xe2\x82\xac",
                                   "\xf0\x9f\x98\x80",
                                   "\x7f"};
    std::string s;
    for (int n = pick(8); n > 0; --n)
      s += pieces[pick(14)];
    return s;
  }

  std::mt19937 rng_;
};

} // namespace

TEST_CASE("non-finite doubles are written as null, as JSON.stringify does") {
  constexpr double inf = std::numeric_limits<double>::infinity();
  CHECK(write(json::value(inf)) == "null");
  CHECK(write(json::value(-inf)) == "null");
  CHECK(write(json::value(std::nan(""))) == "null");
  CHECK(write(json::array{1, inf, "x"}) == R"([1,null,"x"])");
  CHECK(write(json::object{{"k", -inf}}) == R"({"k":null})");
}

TEST_CASE("finite values are written exactly as boost::json::serialize writes them") {
  for (const auto& v : {json::value(0.1), json::value(-0.0), json::value(1e308),
                        json::value(5e-324), json::value(std::int64_t{-9223372036854775807 - 1}),
                        json::value(std::uint64_t{18446744073709551615ULL}), json::value(true),
                        json::parse(R"({"a":[1,2.5,{"b":null,"c":"\u0001\"\\"}],"d":false})")})
    CHECK(write(v) == json::serialize(v));
}

TEST_CASE("property: everything the writer emits parses with a strict parser") {
  value_generator gen(20261202);
  for (int i = 0; i < 2000; ++i) {
    const auto v = gen.make(4);
    const auto text = write(v);
    INFO("value #", i, ": ", text);
    REQUIRE(parses_strictly(text));
    if (!has_non_finite(v)) // the only permitted difference from Boost.JSON
      CHECK(text == json::serialize(v));
    const auto frame = encode_text(serializer::v2, "1", nullptr, "room:a", "e", v);
    REQUIRE(parses_strictly(frame));
    const auto v1_frame = encode_reply(serializer::v1, nullptr, "2", "room:a", "ok", v);
    REQUIRE(parses_strictly(v1_frame));
  }
}

TEST_CASE("numbers outside the double range are refused by the decoder") {
  for (const char* text : {R"(["1","2","t","e",{"n":1e999}])", R"(["1","2","t","e",-1e999])",
                           R"(["1","2","t","e",[0,[1E400]]])"}) {
    auto r = decode_text(serializer::v2, text);
    INFO(text);
    CHECK_FALSE(r.msg.has_value());
    CHECK(r.error == "number out of range");
  }
  auto v1 = decode_text(serializer::v1, R"({"topic":"t","event":"e","payload":1e999,"ref":null})");
  CHECK(v1.error == "number out of range");
  // The largest finite doubles are fine.
  auto ok = decode_text(serializer::v2, R"(["1","2","t","e",{"n":1.7976931348623157e308}])");
  CHECK(ok.msg.has_value());
}

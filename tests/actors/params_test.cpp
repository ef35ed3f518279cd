// Reading payload fields in channel callbacks (actors/params.hpp).
#include "actors/channel_results.hpp"
#include "actors/params.hpp"

#include <boost/json.hpp>
#include <doctest/doctest.h>

namespace {

namespace sb = switchboard;
namespace json = boost::json;
using sb::actors::bad_request;
using sb::actors::field;
using sb::actors::required;

sb::protocol::payload sample() {
  return json::parse(R"({"s":"text","b":false,"i":-7,"u":18446744073709551615,"d":1.5,
                         "o":{"k":1},"a":[1,2],"n":null})");
}

std::string refusal(const std::function<void()>& f) {
  try {
    f();
  } catch (const bad_request& e) {
    return e.what();
  }
  return "no bad_request";
}

} // namespace

TEST_CASE("field reads typed fields and is empty when absent or of another type") {
  auto p = sample();
  CHECK(field<std::string>(p, "s") == "text");
  CHECK(field<std::string_view>(p, "s") == "text");
  CHECK(field<bool>(p, "b") == false);
  CHECK(field<std::int64_t>(p, "i") == -7);
  CHECK_FALSE(field<std::int64_t>(p, "u")); // does not fit
  CHECK(field<double>(p, "d") == 1.5);
  CHECK(field<double>(p, "i") == -7.0); // integers convert
  CHECK(field<json::object>(p, "o")->at("k") == 1);
  CHECK(field<json::array>(p, "a")->size() == 2);
  CHECK(field<json::value>(p, "n")->is_null());
  CHECK_FALSE(field<std::string>(p, "i"));
  CHECK_FALSE(field<bool>(p, "missing"));
  CHECK_FALSE(field<std::string>(sb::protocol::payload{json::value("not an object")}, "s"));
  CHECK_FALSE(field<std::string>(sb::protocol::payload{sb::protocol::binary_payload{}}, "s"));
}

TEST_CASE("required names the field in its bad_request") {
  auto p = sample();
  CHECK(required<std::int64_t>(p, "i") == -7);
  CHECK(refusal([&] { (void)required<std::string>(p, "missing"); }) == "missing required");
  CHECK(refusal([&] { (void)required<std::string>(p, "n"); }) == "n required");
  CHECK(refusal([&] { (void)required<std::string>(p, "i"); }) == "i must be a string");
  CHECK(refusal([&] { (void)required<bool>(p, "s"); }) == "s must be a boolean");
  CHECK(refusal([&] { (void)required<json::array>(p, "o"); }) == "o must be an array");
}

TEST_CASE("error and refuse answer with {\"reason\": ...} as Phoenix channels do") {
  auto e = sb::actors::error("unknown event");
  REQUIRE(e.reply);
  CHECK(e.reply->status == "error");
  CHECK(std::get<json::value>(e.reply->response) == json::parse(R"({"reason":"unknown event"})"));
  auto r = sb::actors::refuse("unauthorized");
  CHECK_FALSE(r.accepted);
  CHECK(std::get<json::value>(r.response) == json::parse(R"({"reason":"unauthorized"})"));
}

#include "protocol/codec.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <doctest/doctest.h>

#include <algorithm>
#include <string>

namespace json = boost::json;
using namespace switchboard::protocol;

namespace {

message decode_ok(serializer s, std::string_view text) {
  auto r = decode_text(s, text);
  INFO("input: ", std::string(text), " error: ", r.error);
  REQUIRE(r.msg.has_value());
  CHECK(r.error.empty());
  return std::move(*r.msg);
}

std::string decode_error(serializer s, std::string_view text) {
  auto r = decode_text(s, text);
  INFO("input: ", std::string(text));
  CHECK_FALSE(r.msg.has_value());
  CHECK_FALSE(r.error.empty());
  return r.error;
}

const json::value& json_payload(const message& m) {
  REQUIRE(std::holds_alternative<json::value>(m.payload));
  return std::get<json::value>(m.payload);
}

bool is_short_ascii(const std::string& s) {
  return s.size() < 100 &&
         std::all_of(s.begin(), s.end(), [](char c) { return c >= 0x20 && c < 0x7F; });
}

} // namespace

// ---------------------------------------------------------------- V2 text decoding

TEST_CASE("a V2 text frame decodes into join_ref, ref, topic, event and payload") {
  auto m = decode_ok(serializer::v2, R"(["2","3","room:lobby","shout",{"hi":1}])");
  CHECK(m.join_ref == json::value("2"));
  CHECK(m.ref == json::value("3"));
  CHECK(m.topic == "room:lobby");
  CHECK(m.event == "shout");
  CHECK(json_payload(m) == json::parse(R"({"hi":1})"));
}

TEST_CASE("a V2 heartbeat keeps its null join_ref as JSON null") {
  auto m = decode_ok(serializer::v2, R"([null,"1","phoenix","heartbeat",{}])");
  CHECK(m.join_ref.is_null());
  CHECK(m.ref == json::value("1"));
  CHECK(m.topic == "phoenix");
  CHECK(m.event == "heartbeat");
  CHECK(json_payload(m) == json::object{});
}

TEST_CASE("a V2 frame with a null ref decodes") {
  auto m = decode_ok(serializer::v2, R"(["1",null,"t","e",{}])");
  CHECK(m.ref.is_null());
  CHECK(m.join_ref == json::value("1"));
}

TEST_CASE("V2 array elements after the fifth are ignored") {
  auto m = decode_ok(serializer::v2, R"(["1","2","t","e",{"a":1},"extra",7,null])");
  CHECK(m.topic == "t");
  CHECK(json_payload(m) == json::parse(R"({"a":1})"));
}

TEST_CASE("a V2 payload may be any JSON value") {
  for (const char* payload : {"[1,2,3]", R"("text")", "42", "null", "true", "{}", "-1.5"}) {
    auto m = decode_ok(serializer::v2, std::string(R"(["1","2","t","e",)") + payload + "]");
    CHECK(json_payload(m) == json::parse(payload));
  }
}

TEST_CASE("a V2 array with fewer than five elements is rejected") {
  CHECK(decode_error(serializer::v2, "[]") == "V2 message must have at least 5 elements");
  CHECK(decode_error(serializer::v2, R"(["1","2","t","e"])") ==
        "V2 message must have at least 5 elements");
}

TEST_CASE("a V2 frame that is not a JSON array is rejected") {
  for (const char* text : {R"({"topic":"t"})", R"("str")", "1", "null"}) {
    CHECK(decode_error(serializer::v2, text) == "V2 message must be a JSON array");
  }
}

TEST_CASE("a V2 join_ref or ref that is neither a string nor null is rejected") {
  for (const char* bad : {"1", "true", "{}", "[]", "1.5"}) {
    const std::string b(bad);
    CHECK(decode_error(serializer::v2, "[" + b + R"(,"1","t","e",{}])") ==
          "join_ref must be a string or null");
    CHECK(decode_error(serializer::v2, R"(["1",)" + b + R"(,"t","e",{}])") ==
          "ref must be a string or null");
  }
}

TEST_CASE("a V2 topic or event that is not a string is rejected") {
  for (const char* bad : {"1", "null", "true", "{}", "[]"}) {
    const std::string b(bad);
    CHECK(decode_error(serializer::v2, R"(["1","2",)" + b + R"(,"e",{}])") ==
          "topic must be a string");
    CHECK(decode_error(serializer::v2, R"(["1","2","t",)" + b + ",{}]") ==
          "event must be a string");
  }
}

TEST_CASE("text that is not valid JSON is rejected as invalid JSON") {
  for (const char* text : {"not json", "", "[",
                           R"(["1","2","t","e",{}])"
                           " x",
                           R"(["1","2","t","e",{},])", R"(["1",'2',"t","e",{}])",
                           R"(["1","2","t","e",{"a":1,}])", "// c\n[]"}) {
    const auto err = decode_error(serializer::v2, text);
    CHECK(err.starts_with("invalid JSON"));
    CHECK(decode_error(serializer::v1, text).starts_with("invalid JSON"));
  }
}

TEST_CASE("JSON strings with invalid UTF-8 or lone surrogates are rejected") {
  CHECK(
    decode_error(serializer::v2, "[\"1\",\"2\",\"t\xff\",\"e\",{}]").starts_with("invalid JSON"));
  CHECK(
    decode_error(serializer::v2, "[\"1\",\"2\",\"t\xc3\",\"e\",{}]").starts_with("invalid JSON"));
  CHECK(decode_error(serializer::v2, R"(["1","2","t","e",{"k":"\ud800"}])")
          .starts_with("invalid JSON"));
}

TEST_CASE("payloads nested 64 levels deep are accepted and deeper ones are rejected") {
  auto nested = [](int depth) {
    return std::string(R"(["1","2","t","e",)") + std::string(static_cast<std::size_t>(depth), '[') +
           std::string(static_cast<std::size_t>(depth), ']') + "]";
  };
  // The outer array is one level, so 63 payload levels make 64 in total.
  CHECK(decode_text(serializer::v2, nested(63)).msg.has_value());
  CHECK(decode_error(serializer::v2, nested(200)).starts_with("invalid JSON"));
}

TEST_CASE("unicode topics, events and payloads decode to UTF-8") {
  auto m =
    decode_ok(serializer::v2,
              R"(["1","2","salle:caf\u00e9","\u00e9v\u00e9nement",{"emoji":"\ud83d\ude00"}])");
  CHECK(m.topic == "salle:caf\xc3\xa9");
  CHECK(m.event == "\xc3\xa9v\xc3\xa9nement");
  CHECK(json_payload(m).at("emoji") == json::value("\xf0\x9f\x98\x80"));
  auto raw = decode_ok(serializer::v2, "[\"1\",\"2\",\"\xe6\x88\xbf\",\"e\",{}]");
  CHECK(raw.topic == "\xe6\x88\xbf");
}

TEST_CASE("every decode error is short printable ASCII usable as a close reason") {
  const char* bad_v2[] = {"garbage",
                          "[]",
                          "{}",
                          R"([1,"2","t","e",{}])",
                          R"(["1",2,"t","e",{}])",
                          R"(["1","2",3,"e",{}])",
                          R"(["1","2","t",4,{}])",
                          "[\"1\",\"2\",\"t\xff\",\"e\",{}]"};
  for (const char* text : bad_v2)
    CHECK(is_short_ascii(decode_error(serializer::v2, text)));
  const char* bad_v1[] = {"[]", "{}", R"({"topic":1,"event":"e","payload":{},"ref":null})"};
  for (const char* text : bad_v1)
    CHECK(is_short_ascii(decode_error(serializer::v1, text)));
}

// ---------------------------------------------------------------- V1 text decoding

TEST_CASE("a V1 object decodes and join_ref defaults to null when absent") {
  auto m = decode_ok(serializer::v1,
                     R"({"topic":"room:v1","event":"phx_join","payload":{"a":1},"ref":"1"})");
  CHECK(m.join_ref.is_null());
  CHECK(m.ref == json::value("1"));
  CHECK(m.topic == "room:v1");
  CHECK(m.event == "phx_join");
  CHECK(json_payload(m) == json::parse(R"({"a":1})"));
}

TEST_CASE("a V1 object keeps an explicit join_ref and ignores unknown keys") {
  auto m = decode_ok(serializer::v1,
                     R"({"join_ref":"7","ref":null,"topic":"t","event":"e","payload":[],"x":1})");
  CHECK(m.join_ref == json::value("7"));
  CHECK(m.ref.is_null());
  CHECK(json_payload(m) == json::array{});
}

TEST_CASE("a V1 object missing a required key is rejected with the key named") {
  for (const char* key : {"topic", "event", "payload", "ref"}) {
    json::object o{{"topic", "t"}, {"event", "e"}, {"payload", json::object{}}, {"ref", "1"}};
    o.erase(key);
    CHECK(decode_error(serializer::v1, json::serialize(o)) ==
          std::string("V1 message is missing key \"") + key + "\"");
  }
}

TEST_CASE("a V1 frame that is not a JSON object is rejected") {
  for (const char* text : {R"(["1","2","t","e",{}])", R"("s")", "3", "null"}) {
    CHECK(decode_error(serializer::v1, text) == "V1 message must be a JSON object");
  }
}

TEST_CASE("V1 fields of the wrong type are rejected") {
  CHECK(decode_error(serializer::v1, R"({"topic":1,"event":"e","payload":{},"ref":"1"})") ==
        "topic must be a string");
  CHECK(decode_error(serializer::v1, R"({"topic":"t","event":null,"payload":{},"ref":"1"})") ==
        "event must be a string");
  CHECK(decode_error(serializer::v1, R"({"topic":"t","event":"e","payload":{},"ref":1})") ==
        "ref must be a string or null");
  CHECK(decode_error(serializer::v1,
                     R"({"topic":"t","event":"e","payload":{},"ref":"1","join_ref":{}})") ==
        "join_ref must be a string or null");
}

// ---------------------------------------------------------------- text encoding

TEST_CASE("a V2 channel push encodes as a five-element array") {
  CHECK(encode_text(serializer::v2, "2", nullptr, "room:lobby", "presence_state",
                    json::parse(R"({"u1":{"metas":[]}})")) ==
        R"(["2",null,"room:lobby","presence_state",{"u1":{"metas":[]}}])");
}

TEST_CASE("a V2 fastlane broadcast carries null join_ref and ref") {
  CHECK(encode_text(serializer::v2, nullptr, nullptr, "room:lobby", "shout",
                    json::parse(R"({"hi":1})")) == R"([null,null,"room:lobby","shout",{"hi":1}])");
}

TEST_CASE("a V2 phx_close uses the join_ref as ref and an empty object payload") {
  CHECK(encode_text(serializer::v2, "2", "2", "room:lobby", events::close, json::object{}) ==
        R"(["2","2","room:lobby","phx_close",{}])");
}

TEST_CASE("a V2 reply wraps status and response") {
  CHECK(encode_reply(serializer::v2, "2", "4", "room:lobby", "ok", json::parse(R"({"x":2})")) ==
        R"(["2","4","room:lobby","phx_reply",{"status":"ok","response":{"x":2}}])");
  CHECK(encode_reply(serializer::v2, nullptr, "1", events::phoenix_topic, "ok", json::object{}) ==
        R"([null,"1","phoenix","phx_reply",{"status":"ok","response":{}}])");
  CHECK(
    encode_reply(serializer::v2, nullptr, "6", "room:other", "error",
                 json::parse(R"({"reason":"unmatched topic"})")) ==
    R"([null,"6","room:other","phx_reply",{"status":"error","response":{"reason":"unmatched topic"}}])");
}

TEST_CASE("a V1 message encodes as an object with topic, event, payload and ref only") {
  const auto text =
    encode_text(serializer::v1, "5", nullptr, "room:v1", "shout", json::parse(R"({"q":1})"));
  CHECK(text == R"({"topic":"room:v1","event":"shout","payload":{"q":1},"ref":null})");
  const auto obj = json::parse(text).as_object();
  CHECK(obj.size() == 4);
  CHECK_FALSE(obj.contains("join_ref"));
}

TEST_CASE("a V1 reply is a phx_reply object without join_ref") {
  const auto text = encode_reply(serializer::v1, "1", "1", "room:v1", "ok", json::object{});
  CHECK(
    text ==
    R"({"topic":"room:v1","event":"phx_reply","payload":{"status":"ok","response":{}},"ref":"1"})");
  CHECK_FALSE(json::parse(text).as_object().contains("join_ref"));
}

TEST_CASE("topic, event and status are JSON-escaped") {
  const std::string nasty = "q\"b\\s/\n\t\r\b\f\x01\x1f\x7f";
  CHECK(encode_text(serializer::v2, nullptr, nullptr, nasty, "e", json::object{}) ==
        R"([null,null,"q\"b\\s/\n\t\r\b\f\u0001\u001f)"
        "\x7f"
        R"(","e",{}])");
  const auto reply = encode_reply(serializer::v1, nullptr, nullptr, "t", nasty, nullptr);
  CHECK(json::parse(reply).at("payload").at("status") == json::value(nasty));
}

TEST_CASE("string escaping matches boost::json::serialize for every ASCII character") {
  for (int c = 0; c < 0x80; ++c) {
    const std::string s = std::string("a") + static_cast<char>(c) + "z";
    const auto text = encode_text(serializer::v2, nullptr, nullptr, s, "e", nullptr);
    CHECK(text == "[null,null," + json::serialize(json::string_view(s)) + R"(,"e",null])");
  }
}

TEST_CASE("non-ASCII UTF-8 is written unescaped") {
  const std::string topic = "caf\xc3\xa9:\xe2\x82\xac:\xf0\x9f\x98\x80";
  CHECK(encode_text(serializer::v2, nullptr, nullptr, topic, "e", json::object{}) ==
        "[null,null,\"" + topic + "\",\"e\",{}]");
}

TEST_CASE("join_ref and ref values of any JSON type are echoed as given") {
  CHECK(encode_text(serializer::v2, "a\"b", 7, "t", "e", json::object{}) ==
        R"(["a\"b",7,"t","e",{}])");
  CHECK(encode_text(serializer::v1, nullptr, json::array{1}, "t", "e", json::object{}) ==
        R"({"topic":"t","event":"e","payload":{},"ref":[1]})");
}

TEST_CASE("encode_text equals serializing the equivalent JSON document") {
  const char* payloads[] = {"{}",     R"({"a":[1,2.5,-3,true,false,null],"b":{"c":"d\n"}})",
                            R"("s")", "[]",
                            "0",      R"({"nested":{"deep":{"deeper":[[["x"]]]}}})"};
  for (const char* p : payloads) {
    const auto payload = json::parse(p);
    const json::array v2{"1", "2", "room:1", "ev", payload};
    CHECK(encode_text(serializer::v2, "1", "2", "room:1", "ev", payload) == json::serialize(v2));
    const auto v1 = encode_text(serializer::v1, "1", "2", "room:1", "ev", payload);
    CHECK(json::parse(v1) ==
          json::object{{"topic", "room:1"}, {"event", "ev"}, {"payload", payload}, {"ref", "2"}});
  }
}

TEST_CASE("payloads larger than the internal buffer are encoded completely") {
  json::object payload;
  payload["text"] = std::string(10000, 'x') + "\"\\";
  json::array numbers;
  for (int i = 0; i < 3000; ++i)
    numbers.push_back(i);
  payload["numbers"] = std::move(numbers);
  const json::value pv = payload;
  const auto text = encode_text(serializer::v2, nullptr, nullptr, "t", "e", pv);
  CHECK(text == "[null,null,\"t\",\"e\"," + json::serialize(pv) + "]");
  CHECK(json::parse(text).as_array()[4] == pv);
}

TEST_CASE("encoded messages decode back to the same fields") {
  const auto payload = json::parse(R"({"k":"v\u00e9\"","n":[1,{"x":null}],"f":0.25})");
  const std::string topic = "room:\"caf\xc3\xa9\"\\\x02";
  for (auto s : {serializer::v1, serializer::v2}) {
    const auto m = decode_ok(s, encode_text(s, "3", "4", topic, "ev\t", payload));
    CHECK(m.topic == topic);
    CHECK(m.event == "ev\t");
    CHECK(m.ref == json::value("4"));
    CHECK(json_payload(m) == payload);
    // V1 never carries join_ref on the wire.
    CHECK(m.join_ref == (s == serializer::v2 ? json::value("3") : json::value(nullptr)));
  }
}

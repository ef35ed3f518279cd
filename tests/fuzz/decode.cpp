// Fuzzes the inbound Phoenix decoders (protocol/codec.hpp): decode_text for V1 and V2 and
// decode_binary, each on the whole input. Checks: no crash or UB; a refusal has a non-empty,
// UTF-8 reason of at most 99 bytes (it becomes a WebSocket close reason); a decoded message holds
// only finite numbers, and re-encoding it with encode_text and encode_reply gives strict JSON
// (boost::json::parse) with the same join_ref (V2), ref, topic, event and payload (doubles within
// a few units in the last place: json_compare.hpp), which decode_text accepts again; a decoded
// binary push re-encodes as a binary reply with the layout of docs/protocol.md §3. The input is
// also tried as a `vsn` query value: negotiate_serializer accepts only 1.0.x and 2.0.x versions.

#include "protocol/codec.hpp"
#include "protocol/utf8.hpp"
#include "tests/fuzz/fuzz_check.hpp"
#include "tests/fuzz/json_compare.hpp"

#include <boost/json/parse.hpp>

#include <cmath>
#include <cstdint>
#include <string>
#include <string_view>

namespace json = boost::json;
using namespace switchboard::protocol;
using switchboard::fuzz::check;
using switchboard::fuzz::same_json;

namespace {

bool all_finite(const json::value& v) {
  switch (v.kind()) {
    case json::kind::double_: return std::isfinite(v.get_double());
    case json::kind::array:
      for (const auto& e : v.get_array())
        if (!all_finite(e))
          return false;
      return true;
    case json::kind::object:
      for (const auto& kv : v.get_object())
        if (!all_finite(kv.value()))
          return false;
      return true;
    default: return true;
  }
}

/// Strict parse of what the server would send; deeper limit than decode_text because a reply
/// nests the client's payload one level further down.
json::value parse_strict(std::string_view text) {
  json::parse_options opts;
  opts.max_depth = 256;
  json::error_code ec;
  auto v = json::parse(text, ec, {}, opts);
  check(!ec, "encoded text is strict JSON");
  return v;
}

/// `doc` is the envelope encode_text writes for serializer `s`.
void check_envelope(serializer s, const json::value& doc, const message& m, std::string_view event,
                    const json::value& payload) {
  if (s == serializer::v2) {
    check(doc.is_array() && doc.get_array().size() == 5, "V2 text is a 5-element array");
    const auto& a = doc.get_array();
    check(a[0] == m.join_ref && a[1] == m.ref, "V2 text keeps join_ref and ref");
    check(a[2].is_string() && a[2].get_string() == m.topic, "V2 text keeps the topic");
    check(a[3].is_string() && a[3].get_string() == event, "V2 text keeps the event");
    check(same_json(a[4], payload), "V2 text keeps the payload");
  } else {
    check(doc.is_object() && doc.get_object().size() == 4, "V1 text is a 4-key object");
    const auto& o = doc.get_object();
    check(o.contains("topic") && o.at("topic") == json::value(m.topic), "V1 text keeps the topic");
    check(o.contains("event") && o.at("event") == json::value(event), "V1 text keeps the event");
    check(o.contains("ref") && o.at("ref") == m.ref, "V1 text keeps the ref");
    check(o.contains("payload") && same_json(o.at("payload"), payload),
          "V1 text keeps the payload");
  }
}

void check_reencoded(serializer s, const message& m, const json::value& payload) {
  const auto text = encode_text(s, m.join_ref, m.ref, m.topic, m.event, payload);
  check_envelope(s, parse_strict(text), m, m.event, payload);
  const auto again = decode_text(s, text);
  check(again.msg.has_value(), "re-encoded text decodes again");
  check(again.msg->topic == m.topic && again.msg->event == m.event && again.msg->ref == m.ref,
        "re-decoded message keeps topic, event and ref");
  if (s == serializer::v2)
    check(again.msg->join_ref == m.join_ref, "re-decoded V2 message keeps join_ref");

  const auto reply = encode_reply(s, m.join_ref, m.ref, m.topic, m.event, payload);
  const json::value expected{{"status", m.event}, {"response", payload}};
  check_envelope(s, parse_strict(reply), m, "phx_reply", expected);
}

void check_refusal(const decode_result& r) {
  check(!r.error.empty() && r.error.size() <= 99, "a refusal has a short reason");
  check(is_valid_utf8(r.error), "a refusal reason is UTF-8");
}

void fuzz_text(serializer s, std::string_view input) {
  const auto r = decode_text(s, input);
  if (!r.msg) {
    check_refusal(r);
    return;
  }
  const auto& m = *r.msg;
  check(!is_binary(m.payload), "a text frame decodes to a JSON payload");
  const auto& payload = std::get<json::value>(m.payload);
  check(all_finite(payload) && all_finite(m.join_ref) && all_finite(m.ref),
        "a decoded message holds only finite numbers");
  check(is_valid_utf8(m.topic) && is_valid_utf8(m.event), "topic and event are UTF-8");
  check_reencoded(s, m, payload);
}

void fuzz_binary(std::string_view input) {
  check(!decode_binary(serializer::v1, input).msg, "V1 refuses binary frames");
  const auto r = decode_binary(serializer::v2, input);
  if (!r.msg) {
    check_refusal(r);
    return;
  }
  const auto& m = *r.msg;
  check(is_binary(m.payload) && m.join_ref.is_string() && m.ref.is_string(),
        "a binary push has string refs and a binary payload");
  const auto& jr = m.join_ref.get_string();
  const auto& ref = m.ref.get_string();
  const auto& bytes = std::get<binary_payload>(m.payload).bytes;
  check(5 + jr.size() + ref.size() + m.topic.size() + m.event.size() + bytes.size() == input.size(),
        "a binary push accounts for every byte");
  check_reencoded(serializer::v2, m, json::object{});

  const auto reply = encode_binary_reply(jr, ref, m.topic, m.event, bytes);
  check(reply.has_value(), "strings of a decoded binary push fit a binary reply");
  std::string expected{'\x01', static_cast<char>(jr.size()), static_cast<char>(ref.size()),
                       static_cast<char>(m.topic.size()), static_cast<char>(m.event.size())};
  expected.append(jr.data(), jr.size()).append(ref.data(), ref.size());
  expected.append(m.topic).append(m.event).append(bytes);
  check(*reply == expected, "a binary reply has the docs/protocol.md layout");
}

/// A `vsn` is accepted only as 1.0.x (V1) or 2.0.x (V2), so it starts with "1.0." or "2.0.".
void fuzz_vsn(std::string_view input) {
  const auto s = negotiate_serializer(input);
  if (!s)
    return;
  check(input.starts_with(*s == serializer::v1 ? "1.0." : "2.0."),
        "an accepted vsn is 1.0.x or 2.0.x");
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  fuzz_text(serializer::v2, input);
  fuzz_text(serializer::v1, input);
  fuzz_binary(input);
  fuzz_vsn(input);
  return 0;
}

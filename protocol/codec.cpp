#include "protocol/codec.hpp"

#include "protocol/json_writer.hpp"

#include <boost/json/parse.hpp>

#include <cmath>
#include <utility>

namespace switchboard::protocol {

namespace json = boost::json;

namespace {

// Payloads nested deeper than this are refused: it bounds the recursion of the destructor and of
// the serializer. Boost.JSON's default is 32; real Phoenix payloads stay far below 64.
constexpr std::size_t max_json_depth = 64;

// Close reasons must stay short (they go into a WebSocket close frame); all callers pass ASCII.
constexpr std::size_t max_error_size = 99;

decode_result failure(std::string reason) {
  if (reason.size() > max_error_size)
    reason.resize(max_error_size);
  return {std::nullopt, std::move(reason)};
}

decode_result success(message m) {
  return {std::move(m), {}};
}

bool is_string_or_null(const json::value& v) noexcept {
  return v.is_string() || v.is_null();
}

// A number beyond the double range (1e999) parses to infinity, which no JSON text can carry: it
// would reach other members as invalid JSON. Depth is bounded by max_json_depth.
bool has_non_finite_number(const json::value& v) noexcept {
  switch (v.kind()) {
    case json::kind::double_: return !std::isfinite(v.get_double());
    case json::kind::array:
      for (const auto& element : v.get_array())
        if (has_non_finite_number(element))
          return true;
      return false;
    case json::kind::object:
      for (const auto& member : v.get_object())
        if (has_non_finite_number(member.value()))
          return true;
      return false;
    default: return false;
  }
}

decode_result decode_v2_text(json::value doc) {
  if (!doc.is_array())
    return failure("V2 message must be a JSON array");
  auto& a = doc.get_array();
  if (a.size() < 5)
    return failure("V2 message must have at least 5 elements");
  if (!is_string_or_null(a[0]))
    return failure("join_ref must be a string or null");
  if (!is_string_or_null(a[1]))
    return failure("ref must be a string or null");
  if (!a[2].is_string())
    return failure("topic must be a string");
  if (!a[3].is_string())
    return failure("event must be a string");
  message m;
  m.join_ref = std::move(a[0]);
  m.ref = std::move(a[1]);
  m.topic = a[2].get_string();
  m.event = a[3].get_string();
  m.payload = std::move(a[4]);
  return success(std::move(m));
}

decode_result decode_v1_text(json::value doc) {
  if (!doc.is_object())
    return failure("V1 message must be a JSON object");
  auto& o = doc.get_object();
  for (const char* key : {"topic", "event", "payload", "ref"}) {
    if (!o.contains(key))
      return failure(std::string("V1 message is missing key \"") + key + '"');
  }
  if (!o["topic"].is_string())
    return failure("topic must be a string");
  if (!o["event"].is_string())
    return failure("event must be a string");
  if (!is_string_or_null(o["ref"]))
    return failure("ref must be a string or null");
  message m;
  if (auto* jr = o.if_contains("join_ref")) {
    if (!is_string_or_null(*jr))
      return failure("join_ref must be a string or null");
    m.join_ref = std::move(*jr);
  }
  m.ref = std::move(o["ref"]);
  m.topic = o["topic"].get_string();
  m.event = o["event"].get_string();
  m.payload = std::move(o["payload"]);
  return success(std::move(m));
}

// The four fields shared by every text message, in wire order for V2.
void append_v2_head(std::string& out, const json::value& join_ref, const json::value& ref,
                    std::string_view topic, std::string_view event) {
  out.push_back('[');
  detail::append_json_value(out, join_ref);
  out.push_back(',');
  detail::append_json_value(out, ref);
  out.push_back(',');
  detail::append_json_string(out, topic);
  out.push_back(',');
  detail::append_json_string(out, event);
  out.push_back(',');
}

void append_v1_head(std::string& out, std::string_view topic, std::string_view event) {
  out.append(R"({"topic":)");
  detail::append_json_string(out, topic);
  out.append(R"(,"event":)");
  detail::append_json_string(out, event);
  out.append(R"(,"payload":)");
}

void append_v1_tail(std::string& out, const json::value& ref) {
  out.append(R"(,"ref":)");
  detail::append_json_value(out, ref);
  out.push_back('}');
}

// Enough for small payloads without regrowing; large ones grow the buffer a few times.
std::size_t initial_capacity(std::string_view topic, std::string_view event) {
  return topic.size() + event.size() + 128;
}

} // namespace

decode_result decode_text(serializer s, std::string_view text) {
  json::parse_options opts;
  opts.max_depth = max_json_depth;
  json::error_code ec;
  json::value doc = json::parse(text, ec, {}, opts);
  if (ec)
    return failure("invalid JSON: " + ec.message());
  if (has_non_finite_number(doc))
    return failure("number out of range");
  return s == serializer::v2 ? decode_v2_text(std::move(doc)) : decode_v1_text(std::move(doc));
}

std::string encode_text(serializer s, const json::value& join_ref, const json::value& ref,
                        std::string_view topic, std::string_view event,
                        const json::value& payload) {
  std::string out;
  out.reserve(initial_capacity(topic, event));
  if (s == serializer::v2) {
    append_v2_head(out, join_ref, ref, topic, event);
    detail::append_json_value(out, payload);
    out.push_back(']');
  } else {
    append_v1_head(out, topic, event);
    detail::append_json_value(out, payload);
    append_v1_tail(out, ref);
  }
  return out;
}

std::string encode_reply(serializer s, const json::value& join_ref, const json::value& ref,
                         std::string_view topic, std::string_view status,
                         const json::value& response) {
  std::string out;
  out.reserve(initial_capacity(topic, status));
  if (s == serializer::v2) {
    append_v2_head(out, join_ref, ref, topic, events::reply);
  } else {
    append_v1_head(out, topic, events::reply);
  }
  out.append(R"({"status":)");
  detail::append_json_string(out, status);
  out.append(R"(,"response":)");
  detail::append_json_value(out, response);
  out.push_back('}');
  if (s == serializer::v2) {
    out.push_back(']');
  } else {
    append_v1_tail(out, ref);
  }
  return out;
}

} // namespace switchboard::protocol

#include "bench/phoenix_codec.hpp"

#include <charconv>
#include <cstring>

namespace switchboard::bench {
namespace {

std::size_t skip_ws(std::string_view s, std::size_t i) {
  while (i < s.size() && (s[i] == ' ' || s[i] == '\n' || s[i] == '\r' || s[i] == '\t'))
    ++i;
  return i;
}

// Reads one scalar element (string, null, number, bool) starting at `i`;
// strings are returned without quotes. Returns the index after it, or npos.
std::size_t read_scalar(std::string_view s, std::size_t i, std::string_view& value, bool& null) {
  i = skip_ws(s, i);
  if (i >= s.size())
    return std::string_view::npos;
  null = false;
  if (s[i] == '"') {
    const std::size_t start = ++i;
    while (i < s.size() && s[i] != '"')
      i += s[i] == '\\' ? 2 : 1;
    if (i >= s.size())
      return std::string_view::npos;
    value = s.substr(start, i - start);
    return i + 1;
  }
  const std::size_t start = i;
  while (i < s.size() && s[i] != ',' && s[i] != ']' && s[i] != '}' && s[i] != ' ')
    ++i;
  value = s.substr(start, i - start);
  null = value == "null";
  if (null)
    value = {};
  return i;
}

std::size_t find_key(std::string_view json, std::string_view quoted_key) {
  const void* p = memmem(json.data(), json.size(), quoted_key.data(), quoted_key.size());
  return p ? static_cast<std::size_t>(static_cast<const char*>(p) - json.data()) + quoted_key.size()
           : std::string_view::npos;
}

void append_quoted_or_null(std::string& out, std::string_view v) {
  if (v.empty()) {
    out += "null";
    return;
  }
  out += '"';
  out += v;
  out += '"';
}

} // namespace

bool parse_message(std::string_view s, int vsn, incoming& out) {
  if (vsn == 2) {
    std::size_t i = skip_ws(s, 0);
    if (i >= s.size() || s[i] != '[')
      return false;
    ++i;
    std::string_view* fields[4] = {&out.join_ref, &out.ref, &out.topic, &out.event};
    for (int f = 0; f < 4; ++f) {
      bool null = false;
      i = read_scalar(s, i, *fields[f], null);
      if (f == 1)
        out.ref_null = null;
      i = skip_ws(s, i);
      if (i >= s.size() || s[i] != ',')
        return false;
      ++i;
    }
    const std::size_t end = s.rfind(']');
    if (end == std::string_view::npos || end < i)
      return false;
    out.payload = s.substr(i, end - i);
    return true;
  }
  // V1: {"topic":..,"event":..,"payload":..,"ref":..}; key order is not fixed.
  out.topic = find_string(s, "topic");
  out.event = find_string(s, "event");
  out.join_ref = {};
  const std::size_t r = find_key(s, "\"ref\":");
  if (r == std::string_view::npos)
    return false;
  bool null = true;
  read_scalar(s, r, out.ref, null);
  out.ref_null = null;
  const std::size_t p = find_key(s, "\"payload\":");
  out.payload = p == std::string_view::npos ? std::string_view{} : s.substr(p);
  return !out.event.empty();
}

std::string_view find_string(std::string_view json, std::string_view key) {
  char quoted[64];
  if (key.size() + 3 > sizeof quoted)
    return {};
  quoted[0] = '"';
  std::memcpy(quoted + 1, key.data(), key.size());
  quoted[key.size() + 1] = '"';
  quoted[key.size() + 2] = ':';
  std::size_t i = find_key(json, std::string_view(quoted, key.size() + 3));
  if (i == std::string_view::npos)
    return {};
  std::string_view value;
  bool null = false;
  i = skip_ws(json, i);
  if (i >= json.size() || json[i] != '"')
    return {};
  read_scalar(json, i, value, null);
  return value;
}

bool find_u64(std::string_view json, std::string_view quoted_key, std::uint64_t& out) {
  std::size_t i = find_key(json, quoted_key);
  if (i == std::string_view::npos)
    return false;
  i = skip_ws(json, i);
  const auto [ptr, ec] = std::from_chars(json.data() + i, json.data() + json.size(), out);
  return ec == std::errc{} && ptr != json.data() + i;
}

void encode_message(std::string& out, int vsn, std::string_view join_ref, std::string_view ref,
                    std::string_view topic, std::string_view event, std::string_view payload) {
  if (vsn == 2) {
    out += '[';
    append_quoted_or_null(out, join_ref);
    out += ',';
    append_quoted_or_null(out, ref);
    out += ",\"";
    out += topic;
    out += "\",\"";
    out += event;
    out += "\",";
    out += payload;
    out += ']';
    return;
  }
  out += "{\"topic\":\"";
  out += topic;
  out += "\",\"event\":\"";
  out += event;
  out += "\",\"payload\":";
  out += payload;
  out += ",\"ref\":";
  append_quoted_or_null(out, ref);
  if (!join_ref.empty()) {
    out += ",\"join_ref\":";
    append_quoted_or_null(out, join_ref);
  }
  out += '}';
}

void encode_probe(std::string& out, std::uint64_t t_ns, std::uint64_t seq, std::uint32_t pub,
                  int size) {
  const std::size_t begin = out.size();
  auto number = [&out](std::uint64_t v) {
    char digits[24];
    const auto r = std::to_chars(digits, digits + sizeof digits, v);
    out.append(digits, r.ptr);
  };
  out += "{\"t\":";
  number(t_ns);
  out += ",\"seq\":";
  number(seq);
  out += ",\"pub\":";
  number(pub);
  out += ",\"pad\":\"";
  const auto fixed = static_cast<int>(out.size() - begin) + 2; // closing quote and brace
  if (size > fixed)
    out.append(static_cast<std::size_t>(size - fixed), 'x');
  out += "\"}";
}

} // namespace switchboard::bench

#include "protocol/json_writer.hpp"

#include <boost/json/serializer.hpp>

#include <array>
#include <charconv>
#include <cmath>

namespace switchboard::protocol::detail {

namespace {

constexpr char hex_digits[] = "0123456789abcdef";

// 0 = copy as is, 'u' = \u00XX, anything else = the character after the backslash.
constexpr std::array<char, 256> make_escape_table() {
  std::array<char, 256> t{};
  for (int c = 0; c < 0x20; ++c)
    t[static_cast<std::size_t>(c)] = 'u';
  t['\b'] = 'b';
  t['\f'] = 'f';
  t['\n'] = 'n';
  t['\r'] = 'r';
  t['\t'] = 't';
  t['"'] = '"';
  t['\\'] = '\\';
  return t;
}

constexpr std::array<char, 256> escape_table = make_escape_table();

} // namespace

void append_json_string(std::string& out, std::string_view s) {
  out.reserve(out.size() + s.size() + 2);
  out.push_back('"');
  std::size_t run_start = 0;
  for (std::size_t i = 0; i < s.size(); ++i) {
    const char esc = escape_table[static_cast<unsigned char>(s[i])];
    if (esc == 0)
      continue;
    out.append(s.data() + run_start, i - run_start);
    run_start = i + 1;
    if (esc == 'u') {
      const auto c = static_cast<unsigned char>(s[i]);
      const char seq[] = {'\\', 'u', '0', '0', hex_digits[c >> 4], hex_digits[c & 0xF]};
      out.append(seq, sizeof seq);
    } else {
      const char seq[] = {'\\', esc};
      out.append(seq, sizeof seq);
    }
  }
  out.append(s.data() + run_start, s.size() - run_start);
  out.push_back('"');
}

namespace {

void append_double(std::string& out, double d) {
  // JSON has no Infinity or NaN; JavaScript's JSON.stringify writes them as null, and so do we.
  if (!std::isfinite(d)) {
    out.append("null");
    return;
  }
  // Boost.JSON's shortest round-trip form, so output stays identical to boost::json::serialize.
  char buf[64]; // the longest double Boost.JSON writes is 26 characters
  boost::json::serializer sr;
  const boost::json::value v = d;
  sr.reset(&v);
  const auto text = sr.read(buf);
  out.append(text.data(), text.size());
}

template <class Int>
void append_integer(std::string& out, Int i) {
  char buf[24];
  const auto [end, ec] = std::to_chars(buf, buf + sizeof buf, i);
  (void)ec; // 24 characters hold every 64-bit integer
  out.append(buf, end);
}

} // namespace

void append_json_value(std::string& out, const boost::json::value& v) {
  switch (v.kind()) {
    case boost::json::kind::null: out.append("null"); return;
    case boost::json::kind::bool_: out.append(v.get_bool() ? "true" : "false"); return;
    case boost::json::kind::int64: return append_integer(out, v.get_int64());
    case boost::json::kind::uint64: return append_integer(out, v.get_uint64());
    case boost::json::kind::double_: return append_double(out, v.get_double());
    case boost::json::kind::string: return append_json_string(out, v.get_string());
    case boost::json::kind::array: {
      out.push_back('[');
      bool first = true;
      for (const auto& element : v.get_array()) {
        if (!first)
          out.push_back(',');
        first = false;
        append_json_value(out, element);
      }
      out.push_back(']');
      return;
    }
    case boost::json::kind::object: {
      out.push_back('{');
      bool first = true;
      for (const auto& [key, element] : v.get_object()) {
        if (!first)
          out.push_back(',');
        first = false;
        append_json_string(out, key);
        out.push_back(':');
        append_json_value(out, element);
      }
      out.push_back('}');
      return;
    }
  }
}

} // namespace switchboard::protocol::detail

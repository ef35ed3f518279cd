#include "protocol/json_writer.hpp"

#include <boost/json/serializer.hpp>

#include <array>

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

void append_json_value(std::string& out, const boost::json::value& v) {
  switch (v.kind()) {
  case boost::json::kind::null:
    out.append("null");
    return;
  case boost::json::kind::string:
    append_json_string(out, v.get_string());
    return;
  default:
    break;
  }
  // Stream through a stack buffer straight into `out`: no temporary std::string of the value.
  boost::json::serializer sr;
  sr.reset(&v);
  char buf[4096];
  while (!sr.done()) {
    const auto chunk = sr.read(buf);
    out.append(chunk.data(), chunk.size());
  }
}

} // namespace switchboard::protocol::detail

// Fuzzes the outbound JSON writer (protocol/json_writer.hpp). When the input parses as JSON
// (boost::json, max depth 64 as decode_text allows), append_json_value must write strict JSON that
// parses back to the same value (doubles within a few units in the last place: json_compare.hpp),
// with non-finite doubles (which `1e999` parses to) written as `null` as JavaScript's
// JSON.stringify does, never as `Infinity`/`NaN` tokens; for a value with finite numbers only, the
// output is byte-identical to boost::json::serialize. Independently, the input (when it is UTF-8)
// written by append_json_string must parse back to the same string and match boost::json::serialize
// of that string.

#include "protocol/json_writer.hpp"
#include "protocol/utf8.hpp"
#include "tests/fuzz/fuzz_check.hpp"
#include "tests/fuzz/json_compare.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <cmath>
#include <cstdint>
#include <string>
#include <string_view>

namespace json = boost::json;
using switchboard::fuzz::check;
using switchboard::fuzz::same_json;
using switchboard::protocol::is_valid_utf8;
using switchboard::protocol::detail::append_json_string;
using switchboard::protocol::detail::append_json_value;

namespace {

constexpr std::size_t max_depth = 64;

/// `v` with every non-finite double replaced by null; `finite` is cleared when one was found.
json::value with_null_for_non_finite(const json::value& v, bool& finite) {
  switch (v.kind()) {
    case json::kind::double_:
      if (std::isfinite(v.get_double()))
        return v;
      finite = false;
      return nullptr;
    case json::kind::array: {
      json::array out;
      for (const auto& e : v.get_array())
        out.push_back(with_null_for_non_finite(e, finite));
      return out;
    }
    case json::kind::object: {
      json::object out;
      for (const auto& kv : v.get_object())
        out[kv.key()] = with_null_for_non_finite(kv.value(), finite);
      return out;
    }
    default: return v;
  }
}

/// True if `text` has a letter token other than true/false/null outside strings
/// (Infinity, NaN, ...). Assumes balanced quotes, which a strict parse already checked.
bool has_bare_word(std::string_view text) {
  bool in_string = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (in_string) {
      if (c == '\\')
        ++i;
      else if (c == '"')
        in_string = false;
      continue;
    }
    if (c == '"') {
      in_string = true;
    } else if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) {
      const auto word = text.substr(i, text.find_first_of(",]}: \t\r\n", i) - i);
      if (word != "true" && word != "false" && word != "null" && c != 'e' && c != 'E')
        return true;
      i += word.size() - 1;
    }
  }
  return false;
}

json::value parse_strict(std::string_view text, const char* what) {
  json::parse_options opts;
  opts.max_depth = max_depth;
  json::error_code ec;
  auto v = json::parse(text, ec, {}, opts);
  check(!ec, what);
  return v;
}

void fuzz_value(std::string_view input) {
  json::parse_options opts;
  opts.max_depth = max_depth;
  json::error_code ec;
  const auto v = json::parse(input, ec, {}, opts);
  if (ec)
    return;
  std::string out = "x"; // the writer appends: what was there stays untouched
  append_json_value(out, v);
  check(out[0] == 'x', "append_json_value only appends");
  const std::string_view written = std::string_view{out}.substr(1);
  check(!has_bare_word(written), "no Infinity/NaN tokens outside strings");
  const auto back = parse_strict(written, "append_json_value writes strict JSON");
  bool finite = true;
  const auto expected = with_null_for_non_finite(v, finite);
  check(same_json(back, expected),
        "written JSON parses back to the value (non-finite numbers as null)");
  if (finite)
    check(written == json::serialize(v), "output is identical to boost::json::serialize");
}

void fuzz_string(std::string_view input) {
  if (!is_valid_utf8(input))
    return;
  std::string out;
  append_json_string(out, input);
  check(out == json::serialize(json::string(input)),
        "string output matches boost::json::serialize");
  const auto back = parse_strict(out, "append_json_string writes strict JSON");
  check(back.is_string() && back.get_string() == input, "a written string parses back unchanged");
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  fuzz_value(input);
  fuzz_string(input);
  return 0;
}

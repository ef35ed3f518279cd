// Fuzzes channel route patterns (protocol/topic_pattern.hpp). Input: a pattern, a NUL byte, a
// topic (no NUL: the whole input is the pattern and also the topic). Checks: no crash or UB;
// parse accepts exactly the non-empty patterns whose only `*` is the last character, and fills
// the error otherwise; an exact pattern matches itself and only itself; a prefix pattern `p*`
// matches exactly the topics that start with `p` (so `p` itself, and `p` followed by anything).

#include "protocol/topic_pattern.hpp"
#include "tests/fuzz/fuzz_check.hpp"

#include <cstdint>
#include <string>
#include <string_view>

using switchboard::fuzz::check;
using switchboard::protocol::topic_pattern;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const auto nul = input.find('\0');
  const auto text = input.substr(0, nul);
  const auto topic = nul == std::string_view::npos ? input : input.substr(nul + 1);

  const auto star = text.find('*');
  const bool valid = !text.empty() && (star == std::string_view::npos || star == text.size() - 1);
  std::string error;
  const auto pattern = topic_pattern::parse(text, error);
  check(pattern.has_value() == valid, "parse accepts exactly the valid patterns");
  if (!pattern) {
    check(!error.empty(), "a refused pattern has an error message");
    return 0;
  }
  check(pattern->text() == text, "text() is the parsed pattern");
  if (star == std::string_view::npos) {
    check(pattern->matches(text), "an exact pattern matches itself");
    check(pattern->matches(topic) == (topic == text), "an exact pattern matches only itself");
  } else {
    const auto prefix = text.substr(0, text.size() - 1);
    check(pattern->matches(prefix), "a prefix pattern matches its prefix");
    check(pattern->matches(std::string{prefix} + std::string{topic}),
          "a prefix pattern matches its prefix followed by anything");
    check(pattern->matches(topic) == topic.starts_with(prefix),
          "a prefix pattern matches exactly the topics starting with the prefix");
  }
  return 0;
}

// Fuzzes configuration loading (server/config.hpp) with arbitrary TOML text. Checks: no crash,
// UB or exception from parse_config; a refusal names the source ("<fuzz>:<line>: ..."); an
// accepted config printed by to_toml parses back to an equal config (when the config equals
// itself: a NaN in a route option does not), and printing that again gives the same text.

#include "server/config.hpp"
#include "tests/fuzz/fuzz_check.hpp"

#include <cstdint>
#include <cstdio>
#include <string_view>

using switchboard::fuzz::check;
using namespace switchboard::server;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const auto loaded = parse_config(text, "<fuzz>");
  if (!loaded.value) {
    check(loaded.error.starts_with("<fuzz>:"), "a refusal names the source");
    return 0;
  }
  const auto& c = *loaded.value;
  const auto printed = to_toml(c);
  const auto again = parse_config(printed, "<to_toml>");
  if (!again.value)
    std::fprintf(stderr, "%s\n--- printed:\n%s\n", again.error.c_str(), printed.c_str());
  check(again.value.has_value(), "to_toml output parses back");
  if (c == c && !(*again.value == c))
    std::fprintf(stderr, "--- printed:\n%s\n", printed.c_str());
  if (c == c)
    check(*again.value == c, "to_toml output parses back to an equal config");
  check(to_toml(*again.value) == printed, "printing the reparsed config gives the same text");
  return 0;
}

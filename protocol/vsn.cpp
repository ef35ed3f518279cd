// `vsn` negotiation with the semantics of Phoenix's defaults: Version.parse/1, then
// Version.match?/2 against "~> 1.0.0" (V1) and "~> 2.0.0" (V2).
#include "protocol/codec.hpp"

#include <algorithm>
#include <vector>

namespace switchboard::protocol {

namespace {

std::vector<std::string_view> split(std::string_view s, char sep) {
  std::vector<std::string_view> parts;
  for (;;) {
    const auto at = s.find(sep);
    parts.push_back(s.substr(0, at));
    if (at == std::string_view::npos)
      return parts;
    s.remove_prefix(at + 1);
  }
}

bool all_digits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

bool has_leading_zero(std::string_view s) {
  return s.size() > 1 && s[0] == '0';
}

// MAJOR, MINOR, PATCH: digits, no leading zero.
bool is_numeric_identifier(std::string_view s) {
  return all_digits(s) && !has_leading_zero(s);
}

bool is_identifier(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '-';
  });
}

// Dot-separated [0-9A-Za-z-]+ identifiers; numeric ones (pre-release only) without leading zero.
bool is_dot_separated(std::string_view s, bool numeric_no_leading_zero) {
  for (auto part : split(s, '.')) {
    if (!is_identifier(part))
      return false;
    if (numeric_no_leading_zero && all_digits(part) && has_leading_zero(part))
      return false;
  }
  return true;
}

struct version {
  std::string_view major, minor, patch;
  bool pre_release = false;
};

// Elixir's Version.parse/1: split on the first '+' (build), then the first '-' (pre-release).
std::optional<version> parse_version(std::string_view text) {
  const auto plus = text.find('+');
  if (plus != std::string_view::npos && !is_dot_separated(text.substr(plus + 1), false)) {
    return std::nullopt;
  }
  std::string_view core = text.substr(0, plus);
  const auto dash = core.find('-');
  const bool pre_release = dash != std::string_view::npos;
  if (pre_release && !is_dot_separated(core.substr(dash + 1), true))
    return std::nullopt;
  core = core.substr(0, dash);
  const auto parts = split(core, '.');
  if (parts.size() != 3)
    return std::nullopt;
  for (auto p : parts) {
    if (!is_numeric_identifier(p))
      return std::nullopt;
  }
  return version{parts[0], parts[1], parts[2], pre_release};
}

// "~> M.0.0" means >= M.0.0 and < M.1.0-0. Match? defaults to allow_pre: true, so a
// pre-release such as M.0.1-rc.1 matches, but M.0.0-rc.1 precedes M.0.0 and does not.
bool satisfies_tilde(const version& v, std::string_view major) {
  return v.major == major && v.minor == "0" && !(v.patch == "0" && v.pre_release);
}

} // namespace

std::optional<serializer> negotiate_serializer(std::optional<std::string_view> vsn) {
  if (!vsn)
    return serializer::v1;
  const auto v = parse_version(*vsn);
  if (!v)
    return std::nullopt;
  if (satisfies_tilde(*v, "1"))
    return serializer::v1;
  if (satisfies_tilde(*v, "2"))
    return serializer::v2;
  return std::nullopt;
}

} // namespace switchboard::protocol

#pragma once
/// Shared by the JSON fuzzers: value equality that tolerates the last bits of a double.
///
/// Boost.JSON 1.81 parses numbers fast but not always correctly rounded (precise parsing came in
/// 1.83): `-2.5e-300` parses to -2.5000000000000003e-300, which serializes (shortest round trip)
/// as `-2.5000000000000003E-300`, which parses to -2.5000000000000006e-300. Written text that
/// parses back within a few units in the last place is as good as this parser allows.

#include <boost/json/value.hpp>

#include <bit>
#include <cmath>
#include <cstdint>
#include <cstdlib>

namespace switchboard::fuzz {

/// True if `a` and `b` are the same double or neighbours at most 16 representable values apart.
inline bool nearly_same_double(double a, double b) {
  if (a == b)
    return true;
  if (!std::isfinite(a) || !std::isfinite(b) || std::signbit(a) != std::signbit(b))
    return false;
  return std::llabs(std::bit_cast<std::int64_t>(a) - std::bit_cast<std::int64_t>(b)) <= 16;
}

/// boost::json's operator==, except that doubles compare with nearly_same_double.
inline bool same_json(const boost::json::value& a, const boost::json::value& b) {
  if (a.is_double() && b.is_double())
    return nearly_same_double(a.get_double(), b.get_double());
  if (a.is_array() && b.is_array()) {
    const auto& x = a.get_array();
    const auto& y = b.get_array();
    if (x.size() != y.size())
      return false;
    for (std::size_t i = 0; i < x.size(); ++i)
      if (!same_json(x[i], y[i]))
        return false;
    return true;
  }
  if (a.is_object() && b.is_object()) {
    const auto& x = a.get_object();
    const auto& y = b.get_object();
    if (x.size() != y.size())
      return false;
    for (const auto& kv : x) {
      const auto* other = y.if_contains(kv.key());
      if (other == nullptr || !same_json(kv.value(), *other))
        return false;
    }
    return true;
  }
  return a == b;
}

} // namespace switchboard::fuzz

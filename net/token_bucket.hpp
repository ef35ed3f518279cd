#pragma once
/// The inbound rate limit of one connection: a token bucket refilled at `rate` tokens a second up
/// to `burst`; every inbound frame (messages, pings, pongs) takes one. Pure: the caller passes the
/// time, so tests drive it with a fake clock. Refilled lazily on each take, so an idle
/// connection costs no timer.

#include <algorithm>
#include <cstdint>

namespace switchboard::net {

class token_bucket {
public:
  /// Starts full.
  token_bucket(double burst, std::int64_t now_ns) noexcept : tokens_(burst), refilled_ns_(now_ns) {}

  /// Takes a token if one is available at `now_ns` (a monotonic clock in nanoseconds).
  [[nodiscard]] bool take(double rate, double burst, std::int64_t now_ns) noexcept {
    const double elapsed_s = static_cast<double>(std::max<std::int64_t>(0, now_ns - refilled_ns_)) / 1e9;
    tokens_ = std::min(burst, tokens_ + rate * elapsed_s);
    refilled_ns_ = now_ns;
    if (tokens_ < 1.0)
      return false;
    tokens_ -= 1.0;
    return true;
  }

private:
  double tokens_;
  std::int64_t refilled_ns_;
};

} // namespace switchboard::net

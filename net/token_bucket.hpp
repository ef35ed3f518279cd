#pragma once
/// The inbound rate limit of one connection: a token bucket refilled at `rate` tokens a second up
/// to `burst`; every inbound frame (messages, pings, pongs) takes one. It starts full and is
/// refilled lazily on each take, so an idle connection costs no timer. The time source is a
/// parameter: std::chrono::steady_clock in the server, a clock the test sets in the specs.
///
/// Not thread-safe: one per connection, used on its strand.

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <utility>

namespace switchboard::net {

/// `Clock` has a (static or member) `now()` returning `Clock::time_point`, a std::chrono time
/// point; the bucket holds a copy of it.
template <class Clock = std::chrono::steady_clock>
class basic_token_bucket {
public:
  using clock = Clock;
  using time_point = typename Clock::time_point;
  using duration = typename time_point::duration;

  /// `rate` tokens a second, at most `burst` held; starts with `burst` tokens.
  basic_token_bucket(double rate, double burst, Clock c = Clock{})
      : clock_(std::move(c)), rate_(rate), burst_(burst), tokens_(burst), refilled_(clock_.now()) {}

  /// Takes a token if one is available now. A refusal takes nothing. A clock that goes back
  /// refills nothing (the refill restarts from the earlier time).
  [[nodiscard]] bool take() {
    const auto now = clock_.now();
    const std::chrono::duration<double> elapsed =
      std::max<duration>(now - refilled_, duration::zero());
    tokens_ = std::min(burst_, tokens_ + rate_ * elapsed.count());
    refilled_ = now;
    if (tokens_ < 1.0) {
      ++refused_in_a_row_;
      return false;
    }
    tokens_ -= 1.0;
    refused_in_a_row_ = 0;
    return true;
  }

  /// Refusals since the last token taken (the connection closes when they exceed its limit).
  [[nodiscard]] std::size_t refused_in_a_row() const noexcept { return refused_in_a_row_; }

private:
  [[no_unique_address]] Clock clock_;
  double rate_;
  double burst_;
  double tokens_;
  time_point refilled_;
  std::size_t refused_in_a_row_ = 0;
};

using token_bucket = basic_token_bucket<>;

} // namespace switchboard::net

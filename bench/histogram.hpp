// A log-linear latency histogram: fixed memory, O(1) record, mergeable across
// processes.
#pragma once

#include <boost/json/value.hpp>

#include <array>
#include <cstdint>

namespace switchboard::bench {

/// Values (nanoseconds) below 128 are exact; above, each power of two is split
/// into 64 buckets, so a reported percentile is within ~1.6% of the true value.
/// Not thread-safe.
class histogram {
public:
  static constexpr int sub_bits = 6;
  static constexpr int sub_count = 1 << sub_bits;
  static constexpr int bucket_count = 59 * sub_count;

  void record(std::uint64_t v) noexcept {
    ++counts_[index(v)];
    ++count_;
    sum_ += v;
    if (v > max_)
      max_ = v;
  }
  void merge(const histogram& other) noexcept;

  [[nodiscard]] std::uint64_t count() const noexcept { return count_; }
  [[nodiscard]] std::uint64_t max() const noexcept { return max_; }
  [[nodiscard]] double mean() const noexcept { return count_ ? double(sum_) / double(count_) : 0; }
  /// The value at quantile `q` (0..1): the midpoint of its bucket, capped at
  /// the maximum.
  [[nodiscard]] std::uint64_t quantile(double q) const noexcept;

  [[nodiscard]] boost::json::value to_json() const;
  static histogram from_json(const boost::json::value& v);

private:
  static int index(std::uint64_t v) noexcept {
    if (v < 2 * sub_count)
      return static_cast<int>(v);
    const int shift = 63 - __builtin_clzll(v) - sub_bits;
    return (shift + 1) * sub_count + static_cast<int>((v >> shift) - sub_count);
  }

  std::array<std::uint64_t, bucket_count> counts_{};
  std::uint64_t count_ = 0;
  std::uint64_t sum_ = 0;
  std::uint64_t max_ = 0;
};

} // namespace switchboard::bench

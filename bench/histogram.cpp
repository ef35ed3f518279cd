#include "bench/histogram.hpp"

#include <boost/json.hpp>

#include <cmath>

namespace switchboard::bench {

void histogram::merge(const histogram& other) noexcept {
  for (int i = 0; i < bucket_count; ++i)
    counts_[i] += other.counts_[i];
  count_ += other.count_;
  sum_ += other.sum_;
  if (other.max_ > max_)
    max_ = other.max_;
}

std::uint64_t histogram::quantile(double q) const noexcept {
  if (count_ == 0)
    return 0;
  const auto target = static_cast<std::uint64_t>(std::ceil(q * double(count_)));
  std::uint64_t seen = 0;
  for (int i = 0; i < bucket_count; ++i) {
    seen += counts_[i];
    if (seen >= target && counts_[i] > 0) {
      if (i < 2 * sub_count)
        return std::min<std::uint64_t>(static_cast<std::uint64_t>(i), max_);
      const int shift = i / sub_count - 1;
      const std::uint64_t low = static_cast<std::uint64_t>(i % sub_count + sub_count) << shift;
      const std::uint64_t mid = low + ((std::uint64_t{1} << shift) >> 1);
      return std::min(mid, max_);
    }
  }
  return max_;
}

boost::json::value histogram::to_json() const {
  boost::json::array sparse;
  for (int i = 0; i < bucket_count; ++i)
    if (counts_[i])
      sparse.push_back(boost::json::array{i, counts_[i]});
  return boost::json::object{
    {"buckets", std::move(sparse)}, {"count", count_}, {"sum", sum_}, {"max", max_}};
}

histogram histogram::from_json(const boost::json::value& v) {
  histogram h;
  const auto& o = v.as_object();
  for (const auto& pair : o.at("buckets").as_array()) {
    const auto& p = pair.as_array();
    const auto i = p[0].to_number<int>();
    if (i >= 0 && i < bucket_count)
      h.counts_[i] = p[1].to_number<std::uint64_t>();
  }
  h.count_ = o.at("count").to_number<std::uint64_t>();
  h.sum_ = o.at("sum").to_number<std::uint64_t>();
  h.max_ = o.at("max").to_number<std::uint64_t>();
  return h;
}

} // namespace switchboard::bench

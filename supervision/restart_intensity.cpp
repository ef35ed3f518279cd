#include "supervision/restart_intensity.hpp"

namespace switchboard::supervision {

restart_intensity::restart_intensity(int intensity, std::chrono::steady_clock::duration period)
    : intensity_(intensity), period_(period) {}

bool restart_intensity::add_restart(time_point now) {
  const auto threshold = now - period_;
  while (!stamps_.empty() && stamps_.front() < threshold)
    stamps_.pop_front();
  stamps_.push_back(now);
  if (stamps_.size() <= static_cast<std::size_t>(intensity_))
    return true;
  // Keep the window bounded even if the owner ignores the verdict.
  if (stamps_.size() > static_cast<std::size_t>(intensity_) + 1)
    stamps_.pop_front();
  return false;
}

} // namespace switchboard::supervision

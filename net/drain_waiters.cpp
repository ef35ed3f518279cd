#include "net/drain_waiters.hpp"

#include <algorithm>

namespace switchboard::net {

bool drain_waiters::add(std::uint64_t requester, actors::drained_callback on_drained) {
  auto same = std::find_if(waiters_.begin(), waiters_.end(),
                           [&](const auto& w) { return w.first == requester; });
  if (same != waiters_.end()) {
    same->second = std::move(on_drained);
    return true;
  }
  if (waiters_.size() >= max_waiters)
    return false;
  waiters_.emplace_back(requester, std::move(on_drained));
  return true;
}

void drain_waiters::cancel(std::uint64_t requester) noexcept {
  std::erase_if(waiters_, [&](const auto& w) { return w.first == requester; });
}

std::vector<actors::drained_callback> drain_waiters::take_all() {
  std::vector<actors::drained_callback> out;
  out.reserve(waiters_.size());
  for (auto& w : waiters_)
    out.push_back(std::move(w.second));
  waiters_.clear();
  return out;
}

} // namespace switchboard::net

#include "server/memory_trimmer.hpp"

#include <spdlog/spdlog.h>

#include <malloc.h>

namespace switchboard::server {

memory_trimmer::memory_trimmer(std::chrono::milliseconds interval, std::function<bool()> wanted)
    : wanted_(std::move(wanted)) {
  if (interval.count() > 0)
    thread_ = std::thread([this, interval] { run(interval); });
}

memory_trimmer::~memory_trimmer() {
  {
    std::lock_guard lock{mutex_};
    stopping_ = true;
  }
  wake_.notify_one();
  if (thread_.joinable())
    thread_.join();
}

void memory_trimmer::run(std::chrono::milliseconds interval) {
  std::unique_lock lock{mutex_};
  while (!wake_.wait_for(lock, interval, [this] { return stopping_; })) {
    lock.unlock();
    if (!wanted_()) {
      lock.lock();
      continue;
    }
    const auto start = std::chrono::steady_clock::now();
    const bool released = ::malloc_trim(0) != 0;
    const auto took = std::chrono::steady_clock::now() - start;
    spdlog::trace("malloc_trim took {} us ({})",
                  std::chrono::duration_cast<std::chrono::microseconds>(took).count(),
                  released ? "memory released" : "nothing to release");
    lock.lock();
  }
}

} // namespace switchboard::server

#pragma once
/// Gives freed heap memory back to the operating system. glibc's allocator keeps memory freed by
/// its many arenas (one per thread that allocated) and returns only the top of each heap on its
/// own; a burst that queued hundreds of megabytes for one client would otherwise stay resident
/// after that client left. malloc_trim(0) releases every whole free page of every arena
/// (BENCHMARKS.md measures what it costs and what it gives back).
///
/// Every interval the trimmer asks `wanted` whether enough was freed since the last trim, and
/// trims only then: glibc locks each arena while trimming it, which can hold up a thread
/// allocating there for milliseconds, so trimming while nothing was freed would cost latency for
/// nothing. Runs on its own thread.

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <thread>

namespace switchboard::server {

class memory_trimmer {
public:
  /// Checks `wanted` every `interval` and trims when it says so; a zero interval starts nothing.
  memory_trimmer(std::chrono::milliseconds interval, std::function<bool()> wanted);
  ~memory_trimmer();
  memory_trimmer(const memory_trimmer&) = delete;
  memory_trimmer& operator=(const memory_trimmer&) = delete;

private:
  void run(std::chrono::milliseconds interval);

  std::function<bool()> wanted_;

  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::thread thread_;
};

} // namespace switchboard::server

#pragma once
/// Gives freed heap memory back to the operating system on a timer. glibc's allocator keeps
/// memory freed by its many arenas (one per thread that allocated) and returns only the top of
/// each heap on its own; a burst that queued hundreds of megabytes for one client would otherwise
/// stay resident after that client left. malloc_trim(0) releases every whole free page of every
/// arena (BENCHMARKS.md measures what it costs and what it gives back).
///
/// Runs on its own thread, so a trim never delays socket I/O or actors.

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

namespace switchboard::server {

class memory_trimmer {
public:
  /// Trims every `interval`; a zero interval starts nothing.
  explicit memory_trimmer(std::chrono::milliseconds interval);
  ~memory_trimmer();
  memory_trimmer(const memory_trimmer&) = delete;
  memory_trimmer& operator=(const memory_trimmer&) = delete;

private:
  void run(std::chrono::milliseconds interval);

  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::thread thread_;
};

} // namespace switchboard::server

#pragma once
/// Every open WebSocket session, for what concerns them all: the periodic sweep that enforces
/// idle_timeout and write_timeout (one timer for all sessions instead of one per session, which
/// keeps idle connections small), max_connections and max_http_connections, and closing everyone
/// at shutdown.
/// Thread-safe.

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace switchboard::net {

class ws_session;

class session_registry {
public:
  /// Reserves a connection slot for an upgrade in progress; false when `max` are taken. Counting
  /// upgrades from the moment they are decided keeps simultaneous upgrades within `max`.
  [[nodiscard]] bool try_reserve(std::size_t max) noexcept;
  /// Gives back a slot: the upgrade failed, or its session finished.
  void release() noexcept;

  /// Admits a fresh TCP connection as an HTTP session (plain requests and upgrades in progress);
  /// false when `max` are open. Bounds what idle or slow HTTP clients can hold.
  [[nodiscard]] bool try_admit_http(std::size_t max) noexcept;
  /// The HTTP session ended (closed, or handed over to a WebSocket session).
  void release_http() noexcept;

  /// A session finished after holding up to `peak_queued_bytes` in its queue: that memory (plus
  /// its own few KiB) is back in the allocator's free lists.
  void note_released(std::size_t peak_queued_bytes) noexcept;
  /// Whether sessions that finished since the last call freed at least `threshold` bytes
  /// (estimated); resets the count when it answers true. Drives the memory trimmer, so that
  /// memory goes back to the system after a burst without trimming while nothing was freed.
  [[nodiscard]] bool take_released(std::size_t threshold) noexcept;

  void add(const std::shared_ptr<ws_session>& s);
  void remove(const ws_session* s);
  [[nodiscard]] std::size_t size() const;
  /// A snapshot of the live sessions.
  [[nodiscard]] std::vector<std::shared_ptr<ws_session>> snapshot() const;

  /// Closes every session with `code` and waits until the last one is gone (woken by its
  /// removal, not by polling) or `deadline` passed.
  void close_all(std::uint16_t code, std::string_view reason, std::chrono::milliseconds deadline);

  /// Sweeps every `interval` on `ioc` until stop_sweeping().
  void start_sweeping(boost::asio::io_context& ioc, std::chrono::milliseconds interval);
  void stop_sweeping();

private:
  void schedule_sweep();

  std::atomic<std::size_t> reserved_{0};
  std::atomic<std::size_t> http_connections_{0};
  std::atomic<std::size_t> released_bytes_{0};
  mutable std::mutex mutex_;
  std::condition_variable emptied_; ///< notified when the last session is removed
  std::unordered_map<const ws_session*, std::weak_ptr<ws_session>> sessions_;
  std::unique_ptr<boost::asio::steady_timer> timer_;
  std::chrono::milliseconds interval_{1000};
};

} // namespace switchboard::net

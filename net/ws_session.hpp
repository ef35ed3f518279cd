#pragma once
/// One WebSocket connection after the upgrade. Moves bytes only: every inbound message goes to the
/// connection actor as an inbound_frame (marked refused past the inbound rate limit), pings
/// are answered here; outbound frames arrive from actors through the outbound_port interface into
/// an outbound_queue (net/outbound_queue.hpp: the bounds, overflow policies, pong coalescing and
/// write order), and each batch it hands out is written with gather writes (every queued frame in
/// one write call, up to the kernel's iovec limit).
///
/// Drained notifications (notify_when_drained) wait in a drain_waiters next to the queue and run
/// on the strand after the write that drained the queue; they are dropped once a close is queued.
///
/// Threads: reads and writes run on the session's strand; push(), close(), inbound_consumed(),
/// notify_when_drained(), cancel_drained_notification() and sweep() may be called from any
/// thread (a mutex guards the queue; a push never waits on the socket, so a room pays the same
/// for a slow member as for a fast one).

#include "actors/interfaces.hpp"
#include "actors/outbound.hpp"
#include "net/drain_waiters.hpp"
#include "net/limits.hpp"
#include "net/outbound_queue.hpp"
#include "net/token_bucket.hpp"
#include "net/ws_reader.hpp"

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>

#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>
#include <vector>

namespace switchboard::net {

class session_registry;

class ws_session final : public actors::outbound_port,
                         public std::enable_shared_from_this<ws_session> {
public:
  /// `socket` must be bound to a strand executor. `registry` and `options` outlive the session.
  ws_session(boost::asio::ip::tcp::socket socket, protocol::serializer s,
             const session_options& options, session_registry& registry);
  ~ws_session() override;

  /// Starts reading; `connection` receives every inbound message. `early_bytes` are bytes the
  /// HTTP parser read past the upgrade request.
  void start(actors::connection_actor connection, std::string early_bytes);

  actors::push_result push(actors::frame_ptr frame) override;
  void close(std::uint16_t code, std::string_view reason) override;
  void inbound_consumed(std::size_t bytes) noexcept override;
  void notify_when_drained(std::uint64_t requester, actors::drained_callback on_drained) override;
  void cancel_drained_notification(std::uint64_t requester) noexcept override;
  protocol::serializer serializer() const noexcept override { return serializer_; }

  /// Enforces idle_timeout and write_timeout; called about once a second by the registry.
  void sweep(std::int64_t now_ms);

  /// A coarse monotonic clock in milliseconds.
  [[nodiscard]] static std::int64_t clock_ms() noexcept;

private:
  void do_read();
  void on_readable(boost::system::error_code ec);
  void consume(std::string_view bytes);
  [[nodiscard]] bool inbound_backlogged() const noexcept;
  /// Takes an inbound token; false when rate-limited (closing the connection with 1008 once
  /// refusals in a row exceed the limit).
  bool admit_inbound();
  void queue_pong(std::string_view payload);
  /// Queues a close frame; `ours` = the server initiates it (counted in metrics by code).
  void queue_close(std::uint16_t code, std::string_view reason, bool ours);
  void queue_close_locked(std::unique_lock<std::mutex>& lock, std::uint16_t code,
                          std::string_view reason, bool ours);
  void schedule_write_locked(std::unique_lock<std::mutex>& lock);
  void do_write();
  void write_some();
  void on_write(std::size_t bytes);
  bool write_stalled(std::int64_t now_ms);
  void start_close_timer();
  void finish();
  void fail(boost::system::error_code ec, const char* what);

  boost::asio::ip::tcp::socket socket_;
  protocol::serializer serializer_;
  ws_reader reader_;
  actors::connection_actor
    connection_; ///< reset when the socket ends, breaking the session ↔ actor cycle
  const session_options& options_;
  session_registry& registry_;
  std::unique_ptr<boost::asio::steady_timer> close_timer_; ///< only while closing

  std::mutex mutex_; // guards queue_ and drain_waiters_
  outbound_queue queue_;
  drain_waiters drain_waiters_;

  // Written under the mutex or on the strand; read anywhere.
  std::atomic<bool> close_queued_{false}; ///< queue_.closing(), for readers without the mutex
  std::atomic<bool> finished_{false};     ///< the socket is closed (queue_ was discarded)
  std::atomic<bool> read_paused_{false};
  std::atomic<std::uint32_t> inbound_in_flight_{0};
  std::atomic<std::size_t> inbound_bytes_in_flight_{0};
  std::atomic<std::int64_t> last_inbound_ms_{0};
  std::atomic<std::int64_t> write_started_ms_{0}; ///< 0 = no write in flight
  /// The socket's descriptor for the sweeper, which must not read socket_ while the strand may
  /// close it (with io_threads > 1 the sweep runs on another thread); -1 once closed.
  std::atomic<int> fd_{-1};

  // Strand-only: the inbound rate limit.
  token_bucket bucket_;
  bool rate_limit_exceeded_ = false; ///< nothing more is forwarded or answered

  // Strand-only: the batch being written (taken from queue_) and its buffers.
  std::vector<actors::frame_ptr> writing_;
  std::vector<boost::asio::const_buffer> buffers_; ///< what remains to be written
  std::size_t write_total_ = 0;
  bool close_written_ = false;
  bool peer_closed_ = false; ///< the peer's close arrived while ours was still queued

  // Sweep-only (one sweeping timer): the socket's unsent bytes at the last sweep.
  int unsent_at_sweep_ = -1;
  std::int64_t progress_ms_ = 0;
};

} // namespace switchboard::net

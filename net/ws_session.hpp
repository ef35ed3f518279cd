#pragma once
/// One WebSocket connection after the upgrade. Moves bytes only: every inbound message goes to the
/// connection actor as (inbound_atom, bytes, binary); outbound frames arrive from actors through
/// the outbound_port interface into a queue bounded in bytes, and are written with gather writes
/// (every queued frame in one write call, up to the kernel's iovec limit).
///
/// Threads: reads, writes and timers run on the session's strand; push() and close() may be called
/// from any thread (a mutex guards the queue; a push never waits on the socket).

#include "actors/outbound.hpp"
#include "net/ws_reader.hpp"

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <caf/actor.hpp>

#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>
#include <vector>

namespace switchboard::net {

struct session_options {
  std::size_t max_frame_bytes = 64 * 1024;
  std::size_t max_outbound_bytes = 1024 * 1024;
  /// How long to wait for the peer's close frame after ours before dropping the socket.
  std::chrono::milliseconds close_timeout{2000};
};

class ws_session final : public actors::outbound_port,
                         public std::enable_shared_from_this<ws_session> {
public:
  /// `socket` must be bound to a strand executor.
  ws_session(boost::asio::ip::tcp::socket socket, protocol::serializer s,
             const session_options& options);

  /// Starts reading; `connection` receives every inbound message. `early_bytes` are bytes the
  /// HTTP parser read past the upgrade request.
  void start(caf::actor connection, std::string early_bytes);

  /// Blocks until every session's socket is closed or `deadline` passed (used at shutdown).
  static void wait_until_all_closed(std::chrono::milliseconds deadline);
  [[nodiscard]] static std::size_t open_sessions() noexcept { return open_sessions_.load(); }

  actors::push_result push(actors::frame_ptr frame) override;
  void close(std::uint16_t code, std::string_view reason) override;
  protocol::serializer serializer() const noexcept override { return serializer_; }

private:
  void do_read();
  void on_readable(boost::system::error_code ec);
  void consume(std::string_view bytes);
  void fail_protocol(std::uint16_t code, std::string_view reason);
  void do_write();
  void on_write(boost::system::error_code ec, std::size_t bytes);
  void start_close_timer();
  void finish();
  void fail(boost::system::error_code ec, const char* what);

  static inline std::atomic<std::size_t> open_sessions_{0};

  boost::asio::ip::tcp::socket socket_;
  protocol::serializer serializer_;
  ws_reader reader_;
  caf::actor connection_; ///< reset when the socket ends, breaking the session ↔ actor cycle
  const session_options& options_;
  std::unique_ptr<boost::asio::steady_timer> close_timer_; ///< only while closing

  std::mutex mutex_; // guards the members below
  std::vector<actors::frame_ptr> queue_;
  std::size_t queued_bytes_ = 0; ///< queued plus being written
  bool write_scheduled_ = false;
  // Written under the mutex; read without it on the strand.
  std::atomic<bool> close_queued_{false}; ///< a close frame is queued: later pushes are refused
  std::atomic<bool> finished_{false};

  // Strand-only: the frames of the write in flight and their buffers.
  std::vector<actors::frame_ptr> writing_;
  std::vector<boost::asio::const_buffer> buffers_;
  bool close_written_ = false;
};

} // namespace switchboard::net

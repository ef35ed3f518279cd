// A lean RFC 6455 client connection on Asio: masked writes gathered per
// connection, reads into a buffer shared by every connection of the worker,
// text messages handed to a handler.
#pragma once

#include "bench/session.hpp"

#include <boost/asio/ip/tcp.hpp>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace switchboard::bench {

class ws_conn;

/// How a connection ended. `code` is the WebSocket close code when a close
/// frame arrived.
struct close_info {
  int code = 0;
  std::string_view cause; ///< "close", "eof", "connect", "handshake", "read", ...
  boost::system::error_code ec;
  std::string_view detail; ///< e.g. the HTTP status line of a refused upgrade
  bool was_open = false;   ///< the upgrade had completed
};

/// Receives a connection's events; everything runs on the worker's single
/// thread.
class conn_handler {
public:
  virtual ~conn_handler() = default;
  virtual void on_open(ws_conn& c) = 0;
  virtual void on_text(ws_conn& c, std::string_view text) = 0;
  /// Called once; the socket is already closed.
  virtual void on_closed(ws_conn& c, const close_info& info) = 0;
  /// No asynchronous operation refers to `c` any more: it may be started again.
  virtual void on_released(ws_conn&) {}
};

class ws_conn {
public:
  enum class state : std::uint8_t { idle, connecting, upgrading, open, closing, closed };

  ws_conn(boost::asio::io_context& io, conn_handler& h, std::vector<char>& read_buffer);
  ws_conn(const ws_conn&) = delete;
  ws_conn& operator=(const ws_conn&) = delete;

  /// Connects (from `source` when given) and sends the upgrade request for
  /// `host`/`target`.
  /// `receive_buffer` > 0 sets SO_RCVBUF before connecting: a small window makes a client that
  /// does not read back up onto the server sooner.
  void start(const boost::asio::ip::tcp::endpoint& server, const boost::asio::ip::address* source,
             const std::string& host, const std::string& target, int receive_buffer = 0);
  /// Queues one masked text frame; written with everything else queued in one
  /// write.
  void send_text(std::string_view text);
  /// Sends a close frame; the connection ends when the server answers or
  /// closes.
  void send_close(std::uint16_t code);
  /// Stops reading from the socket (the kernel buffers fill, then the server's
  /// queue does).
  void pause_reading() { paused_ = true; }
  void resume_reading();
  /// Closes the socket now (no close frame); reports `cause` to the handler.
  void abort(std::string_view cause);

  [[nodiscard]] state current() const noexcept { return state_; }
  [[nodiscard]] bool busy() const noexcept { return pending_ != 0; }
  [[nodiscard]] std::uint64_t bytes_read() const noexcept { return bytes_read_; }

  session data;

private:
  void on_connect(const boost::system::error_code& ec);
  void arm_read();
  void on_readable(const boost::system::error_code& ec);
  std::size_t consume(char* p, std::size_t n);
  std::size_t consume_upgrade(char* p, std::size_t n);
  void flush();
  void append_frame(std::uint8_t opcode, std::string_view payload);
  void finish(close_info info);
  void op_done();

  boost::asio::ip::tcp::socket sock_;
  conn_handler& handler_;
  std::vector<char>& rbuf_;
  std::string leftover_;
  std::string fragments_;
  std::string out_;
  std::string writing_buf_;
  std::uint64_t bytes_read_ = 0;
  std::uint32_t mask_state_;
  std::uint32_t pending_ = 0;
  state state_ = state::idle;
  bool reading_ = false;
  bool writing_ = false;
  bool paused_ = false;
};

} // namespace switchboard::bench

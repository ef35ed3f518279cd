#include "net/ws_session.hpp"

#include "actors/messages.hpp"
#include "protocol/ws_frame.hpp"

#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>
#include <caf/send.hpp>
#include <spdlog/spdlog.h>

#include <array>
#include <thread>

namespace switchboard::net {

namespace asio = boost::asio;
using boost::system::error_code;

namespace {

/// Reads land in one buffer per I/O thread, so an idle connection holds no read buffer.
constexpr std::size_t read_chunk = 64 * 1024;
thread_local std::array<char, read_chunk> read_buffer;

actors::frame_ptr control_frame(std::string bytes) {
  return std::make_shared<const actors::outbound_frame>(
    actors::outbound_frame{std::move(bytes), actors::frame_class::control});
}

} // namespace

ws_session::ws_session(asio::ip::tcp::socket socket, protocol::serializer s,
                       const session_options& options)
  : socket_(std::move(socket)), serializer_(s), reader_(options.max_frame_bytes),
    options_(options) {
}

void ws_session::wait_until_all_closed(std::chrono::milliseconds deadline) {
  const auto until = std::chrono::steady_clock::now() + deadline;
  while (open_sessions_.load() > 0 && std::chrono::steady_clock::now() < until)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
}

void ws_session::start(caf::actor connection, std::string early_bytes) {
  ++open_sessions_;
  connection_ = std::move(connection);
  error_code ec;
  socket_.non_blocking(true, ec);
  socket_.set_option(asio::ip::tcp::no_delay(true), ec);
  asio::post(socket_.get_executor(), [self = shared_from_this(), early = std::move(early_bytes)] {
    if (!early.empty())
      self->consume(early);
    self->do_read();
  });
}

void ws_session::do_read() {
  socket_.async_wait(asio::ip::tcp::socket::wait_read,
                     [self = shared_from_this()](error_code ec) { self->on_readable(ec); });
}

void ws_session::on_readable(error_code ec) {
  if (ec)
    return fail(ec, "wait");
  for (;;) {
    auto n = socket_.read_some(asio::buffer(read_buffer), ec);
    if (ec == asio::error::would_block || ec == asio::error::try_again)
      break;
    if (ec)
      return fail(ec, "read");
    consume(std::string_view{read_buffer.data(), n});
    if (finished_ || n < read_chunk)
      break;
  }
  if (!finished_ && socket_.is_open())
    do_read();
}

void ws_session::consume(std::string_view bytes) {
  auto failure = reader_.feed(bytes, [this](const ws_reader::event& ev) {
    using kind = ws_reader::kind;
    switch (ev.what) {
      case kind::text:
      case kind::binary:
        if (!close_queued_ && connection_)
          caf::anon_send(connection_, actors::inbound_atom::value, std::string{ev.payload},
                         ev.what == kind::binary);
        break;
      case kind::ping:
        push(control_frame(protocol::ws_frame(protocol::ws_opcode::pong, ev.payload)));
        break;
      case kind::pong:
        break;
      case kind::close:
        if (close_queued_) { // the answer to our close: the handshake is complete
          finish();
        } else {
          // Echo the peer's code (RFC 6455 §5.5.1); 1005 means "none" and must not be sent.
          close(ev.close_code == 1005 ? 1000 : ev.close_code, "");
        }
        break;
    }
  });
  if (failure.code != 0)
    fail_protocol(failure.code, failure.reason);
}

void ws_session::fail_protocol(std::uint16_t code, std::string_view reason) {
  spdlog::debug("closing connection: {} ({})", reason, code);
  close(code, reason);
}

actors::push_result ws_session::push(actors::frame_ptr frame) {
  std::unique_lock lock{mutex_};
  if (close_queued_ || finished_)
    return actors::push_result::closed;
  const auto size = frame->bytes.size();
  if (queued_bytes_ + size > options_.max_outbound_bytes && queued_bytes_ > 0) {
    lock.unlock();
    close(actors::close_code::try_again_later, "slow consumer");
    return actors::push_result::closed;
  }
  queue_.push_back(std::move(frame));
  queued_bytes_ += size;
  if (write_scheduled_)
    return actors::push_result::queued;
  write_scheduled_ = true;
  lock.unlock();
  asio::post(socket_.get_executor(), [self = shared_from_this()] { self->do_write(); });
  return actors::push_result::queued;
}

void ws_session::close(std::uint16_t code, std::string_view reason) {
  std::unique_lock lock{mutex_};
  if (close_queued_ || finished_)
    return;
  close_queued_ = true;
  auto frame = control_frame(protocol::ws_close_frame(code, reason));
  queued_bytes_ += frame->bytes.size();
  queue_.push_back(std::move(frame));
  if (write_scheduled_)
    return;
  write_scheduled_ = true;
  lock.unlock();
  asio::post(socket_.get_executor(), [self = shared_from_this()] { self->do_write(); });
}

void ws_session::do_write() {
  {
    std::lock_guard lock{mutex_};
    if (finished_ || queue_.empty()) {
      write_scheduled_ = false;
      return;
    }
    writing_.swap(queue_);
  }
  buffers_.clear();
  buffers_.reserve(writing_.size());
  for (const auto& f : writing_)
    buffers_.emplace_back(asio::buffer(f->bytes));
  asio::async_write(socket_, buffers_, [self = shared_from_this()](error_code ec, std::size_t n) {
    self->on_write(ec, n);
  });
}

void ws_session::on_write(error_code ec, std::size_t bytes) {
  if (ec)
    return fail(ec, "write");
  bool more = false;
  bool close_sent = false;
  {
    std::lock_guard lock{mutex_};
    queued_bytes_ -= bytes;
    close_sent = close_queued_ && queue_.empty();
    more = !queue_.empty();
    if (!more)
      write_scheduled_ = false;
  }
  writing_.clear();
  if (writing_.capacity() > 1024) // a burst is over: give the memory back
    std::vector<actors::frame_ptr>{}.swap(writing_), std::vector<asio::const_buffer>{}.swap(buffers_);
  if (more)
    return do_write();
  if (close_sent && !close_written_) {
    close_written_ = true;
    error_code ignored;
    socket_.shutdown(asio::ip::tcp::socket::shutdown_send, ignored);
    start_close_timer();
  }
}

void ws_session::start_close_timer() {
  close_timer_ = std::make_unique<asio::steady_timer>(socket_.get_executor(), options_.close_timeout);
  close_timer_->async_wait([self = shared_from_this()](error_code ec) {
    if (!ec)
      self->finish();
  });
}

void ws_session::fail(error_code ec, const char* what) {
  if (ec != asio::error::eof && ec != asio::error::connection_reset &&
      ec != asio::error::operation_aborted && ec != asio::error::broken_pipe)
    spdlog::debug("session {}: {}", what, ec.message());
  finish();
}

void ws_session::finish() {
  {
    std::lock_guard lock{mutex_};
    if (finished_)
      return;
    finished_ = true;
    queue_.clear();
    queued_bytes_ = 0;
  }
  --open_sessions_;
  error_code ignored;
  socket_.close(ignored);
  if (close_timer_)
    close_timer_->cancel();
  if (connection_) {
    caf::anon_send(connection_, actors::peer_closed_atom::value);
    connection_ = nullptr;
  }
}

} // namespace switchboard::net

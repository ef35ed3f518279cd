#include "net/ws_session.hpp"

#include "actors/metrics.hpp"
#include "net/session_registry.hpp"
#include "protocol/ws_frame.hpp"

#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>
#include <caf/send.hpp>
#include <spdlog/spdlog.h>

#include <array>

#include <linux/sockios.h>
#include <sys/ioctl.h>

namespace switchboard::net {

namespace asio = boost::asio;
using actors::add;
using actors::push_result;
using boost::system::error_code;

namespace {

/// Reads land in one buffer per I/O thread, so an idle connection holds no read buffer.
constexpr std::size_t read_chunk = 64 * 1024;
thread_local std::array<char, read_chunk> read_buffer;

actors::frame_ptr control_frame(std::string bytes) {
  return std::make_shared<const actors::outbound_frame>(
    actors::outbound_frame{std::move(bytes), actors::frame_class::control});
}

actors::metrics& stats() {
  return actors::metrics::global();
}

} // namespace

std::int64_t ws_session::clock_ms() noexcept {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
           std::chrono::steady_clock::now().time_since_epoch())
    .count();
}

ws_session::ws_session(asio::ip::tcp::socket socket, protocol::serializer s,
                       const session_options& options, session_registry& registry)
    : socket_(std::move(socket)), serializer_(s), reader_(options.max_frame_bytes),
      options_(options), registry_(registry),
      queue_({options.max_outbound_bytes, options.max_outbound_control_bytes}),
      bucket_(options.messages_per_second, options.burst) {}

void ws_session::start(actors::connection_actor connection, std::string early_bytes) {
  connection_ = std::move(connection);
  last_inbound_ms_ = clock_ms();
  fd_ = socket_.native_handle();
  registry_.add(shared_from_this());
  add(stats().connections_total);
  error_code ec;
  socket_.non_blocking(true, ec);
  socket_.set_option(asio::ip::tcp::no_delay(true), ec);
  asio::post(socket_.get_executor(), [self = shared_from_this(), early = std::move(early_bytes)] {
    if (!early.empty())
      self->consume(early);
    self->do_read();
  });
}

// Readiness first, then a non-blocking read into the thread's buffer: no per-connection buffer
// waits for an idle client.
void ws_session::do_read() {
  if (finished_)
    return;
  if (inbound_backlogged()) {
    read_paused_ = true;
    // The actor may have caught up between the check and the flag.
    if (inbound_backlogged() || !read_paused_.exchange(false))
      return;
  }
  socket_.async_wait(asio::ip::tcp::socket::wait_read,
                     [self = shared_from_this()](error_code ec) { self->on_readable(ec); });
}

void ws_session::on_readable(error_code ec) {
  if (ec)
    return fail(ec, "wait");
  auto n = socket_.read_some(asio::buffer(read_buffer), ec);
  if (ec == asio::error::would_block || ec == asio::error::try_again)
    return do_read();
  if (ec)
    return fail(ec, "read");
  consume(std::string_view{read_buffer.data(), n});
  do_read();
}

bool ws_session::inbound_backlogged() const noexcept {
  return inbound_in_flight_.load() >= options_.max_inbound_in_flight ||
         inbound_bytes_in_flight_.load() >= options_.max_inbound_bytes_in_flight;
}

void ws_session::inbound_consumed(std::size_t bytes) noexcept {
  const auto count = inbound_in_flight_.fetch_sub(1) - 1;
  const auto held = inbound_bytes_in_flight_.fetch_sub(bytes) - bytes;
  // Resume at half of both bounds, so a paused reader does not flap on every message.
  if (count <= options_.max_inbound_in_flight / 2 &&
      held <= options_.max_inbound_bytes_in_flight / 2 && read_paused_.exchange(false))
    asio::post(socket_.get_executor(), [self = shared_from_this()] { self->do_read(); });
}

void ws_session::consume(std::string_view bytes) {
  last_inbound_ms_.store(clock_ms(), std::memory_order_relaxed);
  auto failure = reader_.feed(bytes, [this](const ws_reader::event& ev) {
    using kind = ws_reader::kind;
    switch (ev.what) {
      case kind::text:
      case kind::binary: {
        add(stats().messages_in_total);
        add(stats().bytes_in_total, ev.payload.size());
        const bool admitted = admit_inbound();
        if (!close_queued_ && connection_ && !rate_limit_exceeded_) {
          ++inbound_in_flight_;
          inbound_bytes_in_flight_ += ev.payload.size();
          caf::anon_send(connection_, actors::inbound_frame{std::string{ev.payload},
                                                            ev.what == kind::binary, !admitted});
        }
        break;
      }
      case kind::ping:
        if (admit_inbound())
          queue_pong(ev.payload);
        break;
      case kind::pong:
        (void)admit_inbound(); // unsolicited pongs cost work too
        break;
      case kind::close:
        if (close_queued_) { // the answer to our close: the handshake is complete
          if (close_written_)
            finish();
          else // ours is still queued: write it (and what precedes it) first, then finish
            peer_closed_ = true;
        } else // echo the peer's code (RFC 6455 §5.5.1); 1005 means "none" and must not be sent
          queue_close(ev.close_code == 1005 ? 1000 : ev.close_code, "", false);
        break;
    }
  });
  if (failure.code != 0) {
    spdlog::debug("closing connection: {} ({})", failure.reason, failure.code);
    close(failure.code, failure.reason);
  }
}

bool ws_session::admit_inbound() {
  if (rate_limit_exceeded_)
    return false;
  if (bucket_.take())
    return true;
  add(stats().rate_limited_total);
  if (bucket_.refused_in_a_row() > options_.rate_limit_close_after) {
    rate_limit_exceeded_ = true;
    // The connection closes after its rooms answered what it accepted before (their replies
    // precede the close frame).
    if (connection_)
      caf::anon_send(connection_, actors::rate_limit_exceeded{});
    else
      close(actors::close_code::policy, "rate limit exceeded");
  }
  return false;
}

void ws_session::queue_pong(std::string_view payload) {
  auto pong = control_frame(protocol::ws_frame(protocol::ws_opcode::pong, payload));
  std::unique_lock lock{mutex_};
  if (queue_.queue_pong(std::move(pong)))
    schedule_write_locked(lock);
}

push_result ws_session::push(actors::frame_ptr frame) {
  const bool broadcast = frame->cls == actors::frame_class::broadcast;
  std::unique_lock lock{mutex_};
  const auto outcome = queue_.push(std::move(frame));
  if (outcome.dropped_oldest > 0)
    add(stats().dropped_oldest_total, outcome.dropped_oldest);
  switch (outcome.verdict) {
    case push_verdict::queued:
      stats().observe_queue_bytes(queue_.bytes());
      schedule_write_locked(lock);
      return push_result::queued;
    case push_verdict::dropped: add(stats().dropped_newest_total); return push_result::dropped;
    case push_verdict::slow_consumer:
      if (!broadcast)
        add(stats().control_overflows_total);
      queue_close_locked(lock, actors::close_code::try_again_later, "slow consumer", true);
      return push_result::closed;
    case push_verdict::closed: break;
  }
  return push_result::closed;
}

void ws_session::notify_when_drained(std::uint64_t requester, actors::drained_callback on_drained) {
  {
    std::lock_guard lock{mutex_};
    if (!queue_.open())
      return; // closing: nothing more will be queued, whoever asked learns of the close instead
    if (!queue_.drained()) {
      if (!drain_waiters_.add(requester, std::move(on_drained)))
        spdlog::debug("session: {} drained notifications pending, refusing one more",
                      drain_waiters_.size());
      return;
    }
  }
  on_drained(); // drained already; never under the lock, which the callback's sends may not need
}

void ws_session::cancel_drained_notification(std::uint64_t requester) noexcept {
  std::lock_guard lock{mutex_};
  drain_waiters_.cancel(requester);
}

void ws_session::close(std::uint16_t code, std::string_view reason) {
  queue_close(code, reason, true);
}

void ws_session::queue_close(std::uint16_t code, std::string_view reason, bool ours) {
  std::unique_lock lock{mutex_};
  queue_close_locked(lock, code, reason, ours);
}

void ws_session::queue_close_locked(std::unique_lock<std::mutex>& lock, std::uint16_t code,
                                    std::string_view reason, bool ours) {
  if (!queue_.open())
    return;
  close_queued_ = true;
  drain_waiters_.clear();
  if (ours)
    stats().count_close(code);
  (void)queue_.queue_close(control_frame(protocol::ws_close_frame(code, reason)));
  schedule_write_locked(lock);
}

void ws_session::schedule_write_locked(std::unique_lock<std::mutex>& lock) {
  if (!queue_.claim_writer())
    return;
  lock.unlock();
  asio::post(socket_.get_executor(), [self = shared_from_this()] { self->do_write(); });
}

void ws_session::do_write() {
  {
    std::lock_guard lock{mutex_};
    if (!queue_.take_batch(writing_))
      return;
  }
  buffers_.clear();
  buffers_.reserve(writing_.size());
  for (const auto& f : writing_)
    buffers_.emplace_back(asio::buffer(f->bytes));
  write_total_ = 0;
  write_some();
}

// One gather write; a partial write (a slow reader) continues where it stopped. Each completion
// counts as progress for write_timeout, so a reader that accepts bytes slowly is not dropped.
void ws_session::write_some() {
  write_started_ms_.store(clock_ms(), std::memory_order_relaxed);
  socket_.async_write_some(buffers_, [self = shared_from_this()](error_code ec, std::size_t n) {
    if (ec)
      return self->fail(ec, "write");
    add(stats().writes_total);
    self->write_total_ += n;
    auto first = self->buffers_.begin();
    while (first != self->buffers_.end() && n >= first->size())
      n -= (first++)->size();
    self->buffers_.erase(self->buffers_.begin(), first);
    if (self->buffers_.empty())
      return self->on_write(self->write_total_);
    self->buffers_.front() += n;
    self->write_some();
  });
}

void ws_session::on_write(std::size_t bytes) {
  write_started_ms_.store(0, std::memory_order_relaxed);
  add(stats().frames_out_total, writing_.size());
  add(stats().bytes_out_total, bytes);
  batch_outcome next;
  std::vector<actors::drained_callback> drained;
  {
    std::lock_guard lock{mutex_};
    next = queue_.batch_written();
    if (queue_.drained() && !drain_waiters_.empty())
      drained = drain_waiters_.take_all();
  }
  for (auto& notify : drained)
    notify();
  writing_.clear();
  if (writing_.capacity() > 1024) { // a burst is over: give the memory back
    std::vector<actors::frame_ptr>{}.swap(writing_);
    std::vector<asio::const_buffer>{}.swap(buffers_);
  }
  if (next.more)
    return do_write();
  if (next.close_sent && !close_written_) {
    close_written_ = true;
    if (peer_closed_)
      return finish();
    error_code ignored;
    socket_.shutdown(asio::ip::tcp::socket::shutdown_send, ignored);
    start_close_timer();
  }
}

void ws_session::sweep(std::int64_t now_ms) {
  if (finished_)
    return;
  if (write_stalled(now_ms)) {
    // The peer accepts no bytes: a close frame would never arrive, so drop the socket.
    spdlog::debug("dropping connection: write timeout");
    add(stats().write_timeouts_total);
    asio::post(socket_.get_executor(), [self = shared_from_this()] { self->finish(); });
    return;
  }
  auto idle = options_.idle_timeout.count();
  if (idle > 0 && !close_queued_ && now_ms - last_inbound_ms_.load() >= idle) {
    add(stats().idle_timeouts_total);
    close(actors::close_code::going_away, "idle timeout");
  }
}

// Progress is the kernel's send queue shrinking, not a write completing: with a large socket
// buffer the kernel wakes a blocked writer only after a third of it drained, which can take
// longer than write_timeout for a reader that is slow but alive.
bool ws_session::write_stalled(std::int64_t now_ms) {
  auto started = write_started_ms_.load(std::memory_order_relaxed);
  if (started == 0) {
    unsent_at_sweep_ = -1;
    return false;
  }
  // A descriptor closed (or even reused) after this load only misjudges a finished session.
  int unsent = 0;
  const int fd = fd_.load();
  if (fd < 0 || ::ioctl(fd, SIOCOUTQ, &unsent) != 0)
    unsent = 0;
  if (unsent_at_sweep_ < 0 || unsent < unsent_at_sweep_)
    progress_ms_ = now_ms;
  unsent_at_sweep_ = unsent;
  return now_ms - std::max(started, progress_ms_) >= options_.write_timeout.count();
}

void ws_session::start_close_timer() {
  close_timer_ =
    std::make_unique<asio::steady_timer>(socket_.get_executor(), options_.close_timeout);
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
  std::size_t peak_bytes = 0;
  std::uint64_t dropped = 0;
  {
    std::lock_guard lock{mutex_};
    if (finished_)
      return;
    finished_ = true;
    peak_bytes = queue_.peak_bytes();
    dropped = queue_.dropped();
    queue_.discard();
    drain_waiters_.clear();
  }
  registry_.note_released(peak_bytes);
  if (dropped > 0)
    spdlog::debug("connection closed after dropping {} broadcast frames", dropped);
  fd_ = -1;
  error_code ignored;
  socket_.close(ignored);
  if (close_timer_)
    close_timer_->cancel();
  if (connection_) {
    caf::anon_send(connection_, actors::peer_closed{});
    connection_ = actors::connection_actor{};
  }
  registry_.remove(this);
  registry_.release();
}

ws_session::~ws_session() {
  if (!finished_) // never started: give its reserved slot back
    registry_.release();
}

} // namespace switchboard::net

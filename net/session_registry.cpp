#include "net/session_registry.hpp"

#include "net/ws_session.hpp"

#include "actors/metrics.hpp"

namespace switchboard::net {

namespace {

/// Increments `count` unless it has reached `max`; safe against concurrent callers.
bool take_slot(std::atomic<std::size_t>& count, std::size_t max) noexcept {
  auto n = count.load();
  do {
    if (n >= max)
      return false;
  } while (!count.compare_exchange_weak(n, n + 1));
  return true;
}

} // namespace

bool session_registry::try_reserve(std::size_t max) noexcept {
  if (!take_slot(reserved_, max))
    return false;
  ++actors::metrics::global().connections_current;
  return true;
}

bool session_registry::try_admit_http(std::size_t max) noexcept {
  return take_slot(http_connections_, max);
}

void session_registry::release_http() noexcept {
  http_connections_.fetch_sub(1);
}

// The connections gauge counts reserved slots, so that it reaches 0 only when every slot is free.
void session_registry::release() noexcept {
  reserved_.fetch_sub(1);
  --actors::metrics::global().connections_current;
}

// A session's own state, read buffer excluded (BENCHMARKS.md: ~4 KB per idle connection).
constexpr std::size_t session_footprint = 4096;

void session_registry::note_released(std::size_t peak_queued_bytes) noexcept {
  released_bytes_.fetch_add(peak_queued_bytes + session_footprint, std::memory_order_relaxed);
}

bool session_registry::take_released(std::size_t threshold) noexcept {
  auto n = released_bytes_.load(std::memory_order_relaxed);
  do {
    if (n < threshold)
      return false;
  } while (!released_bytes_.compare_exchange_weak(n, 0, std::memory_order_relaxed));
  return true;
}

void session_registry::add(const std::shared_ptr<ws_session>& s) {
  std::lock_guard lock{mutex_};
  sessions_.emplace(s.get(), s);
}

void session_registry::remove(const ws_session* s) {
  std::lock_guard lock{mutex_};
  if (sessions_.erase(s) != 0 && sessions_.empty())
    emptied_.notify_all();
}

std::size_t session_registry::size() const {
  std::lock_guard lock{mutex_};
  return sessions_.size();
}

std::vector<std::shared_ptr<ws_session>> session_registry::snapshot() const {
  std::vector<std::shared_ptr<ws_session>> out;
  std::lock_guard lock{mutex_};
  out.reserve(sessions_.size());
  for (const auto& [ptr, weak] : sessions_)
    if (auto s = weak.lock())
      out.push_back(std::move(s));
  return out;
}

void session_registry::close_all(std::uint16_t code, std::string_view reason,
                                 std::chrono::milliseconds deadline) {
  for (auto& s : snapshot())
    s->close(code, reason);
  std::unique_lock lock{mutex_};
  emptied_.wait_for(lock, deadline, [this] { return sessions_.empty(); });
}

void session_registry::start_sweeping(boost::asio::io_context& ioc,
                                      std::chrono::milliseconds interval) {
  interval_ = interval;
  timer_ = std::make_unique<boost::asio::steady_timer>(ioc);
  schedule_sweep();
}

void session_registry::stop_sweeping() {
  if (timer_)
    timer_->cancel();
}

void session_registry::schedule_sweep() {
  timer_->expires_after(interval_);
  timer_->async_wait([this](boost::system::error_code ec) {
    if (ec)
      return;
    const auto now = ws_session::clock_ms();
    for (auto& s : snapshot())
      s->sweep(now);
    schedule_sweep();
  });
}

} // namespace switchboard::net

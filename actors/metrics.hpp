#pragma once
/// Process-wide counters behind `GET /metrics` (Prometheus text format; every metric is described
/// in docs/operations.md). Lock-free: relaxed atomics, updated from any thread. Hot paths add in
/// batches (a broadcast adds its delivery count once, a gather write its frame count once).

#include <array>
#include <atomic>
#include <cstdint>
#include <string>

namespace switchboard::actors {

struct metrics {
  using counter = std::atomic<std::uint64_t>;

  counter connections_total{0};
  std::atomic<std::int64_t> connections_current{0};
  counter connections_refused_total{0};      ///< upgrades answered 503 (max_connections)
  counter http_connections_refused_total{0}; ///< connections answered 503 (max_http_connections)
  counter http_bodies_refused_total{0};      ///< requests with a body answered 413
  counter control_overflows_total{0};        ///< closed 1013: max_outbound_control_bytes exceeded
  counter joins_total{0};
  counter join_errors_total{0};
  counter messages_in_total{0};
  counter bytes_in_total{0};
  counter frames_out_total{0};
  counter bytes_out_total{0};
  counter writes_total{0}; ///< gather writes (frames_out / writes = frames per syscall)
  counter broadcasts_total{0};
  counter deliveries_total{0};
  counter dropped_newest_total{0};
  counter dropped_oldest_total{0};
  counter rate_limited_total{0}; ///< inbound frames refused by the token bucket
  counter malformed_total{0};
  counter overloaded_total{0};
  counter channel_crashes_total{0}; ///< member-level crashes: one member's channel ended
  counter room_crashes_total{0};    ///< room-level crashes: every member of the room errored
  counter write_timeouts_total{0};
  counter idle_timeouts_total{0};
  counter handshake_timeouts_total{0};
  std::atomic<std::int64_t> rooms_current{0};
  std::atomic<std::uint64_t> outbound_queue_bytes_max{0}; ///< high-water mark of one connection

  /// Close frames sent by the server, by code (index = code - 1000, codes 1000..1015).
  std::array<counter, 16> closed_by_code{};

  void count_close(std::uint16_t code) noexcept {
    if (code >= 1000 && code < 1016)
      closed_by_code[code - 1000].fetch_add(1, std::memory_order_relaxed);
  }
  void observe_queue_bytes(std::uint64_t bytes) noexcept {
    auto seen = outbound_queue_bytes_max.load(std::memory_order_relaxed);
    while (bytes > seen && !outbound_queue_bytes_max.compare_exchange_weak(
                             seen, bytes, std::memory_order_relaxed)) {
    }
  }

  /// The Prometheus text exposition of every counter plus process_resident_memory_bytes.
  [[nodiscard]] std::string render() const;

  /// The process-wide instance.
  [[nodiscard]] static metrics& global() noexcept;
};

inline void add(metrics::counter& c, std::uint64_t n = 1) noexcept {
  c.fetch_add(n, std::memory_order_relaxed);
}

} // namespace switchboard::actors

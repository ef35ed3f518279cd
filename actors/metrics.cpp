#include "actors/metrics.hpp"

#include <fstream>
#include <sstream>
#include <unistd.h>

namespace switchboard::actors {

namespace {

std::uint64_t resident_memory_bytes() {
  std::ifstream statm{"/proc/self/statm"};
  std::uint64_t size = 0, resident = 0;
  statm >> size >> resident;
  return resident * static_cast<std::uint64_t>(::sysconf(_SC_PAGESIZE));
}

template <class T>
void emit(std::ostringstream& out, const char* name, const char* type, const char* help,
          const T& v) {
  out << "# HELP " << name << ' ' << help << "\n# TYPE " << name << ' ' << type << '\n'
      << name << ' ' << v.load(std::memory_order_relaxed) << '\n';
}

} // namespace

metrics& metrics::global() noexcept {
  static metrics instance;
  return instance;
}

std::string metrics::render() const {
  std::ostringstream out;
  emit(out, "switchboard_connections", "gauge",
       "Open WebSocket connections, upgrades in progress included.", connections_current);
  emit(out, "switchboard_connections_total", "counter", "WebSocket connections accepted.",
       connections_total);
  emit(out, "switchboard_connections_refused_total", "counter",
       "Upgrades refused with HTTP 503 because max_connections was reached.",
       connections_refused_total);
  emit(out, "switchboard_http_connections_refused_total", "counter",
       "Connections answered HTTP 503 because max_http_connections were not yet upgraded.",
       http_connections_refused_total);
  emit(out, "switchboard_http_bodies_refused_total", "counter",
       "HTTP requests announcing a body, answered 413 (no path takes one).",
       http_bodies_refused_total);
  out
    << "# HELP switchboard_connections_closed_total Connections the server closed, by close code.\n"
       "# TYPE switchboard_connections_closed_total counter\n";
  for (std::size_t i = 0; i < closed_by_code.size(); ++i)
    if (auto n = closed_by_code[i].load(std::memory_order_relaxed))
      out << "switchboard_connections_closed_total{code=\"" << 1000 + i << "\"} " << n << '\n';
  emit(out, "switchboard_joins_total", "counter", "Channel joins admitted.", joins_total);
  emit(out, "switchboard_join_errors_total", "counter", "Joins refused or failed.",
       join_errors_total);
  emit(out, "switchboard_messages_in_total", "counter", "WebSocket messages received.",
       messages_in_total);
  emit(out, "switchboard_bytes_in_total", "counter", "Payload bytes received.", bytes_in_total);
  emit(out, "switchboard_messages_out_total", "counter", "WebSocket frames written.",
       frames_out_total);
  emit(out, "switchboard_bytes_out_total", "counter", "Bytes written to sockets.", bytes_out_total);
  emit(out, "switchboard_socket_writes_total", "counter", "Gather writes (socket write calls).",
       writes_total);
  emit(out, "switchboard_broadcasts_total", "counter", "Broadcasts fanned out by rooms.",
       broadcasts_total);
  emit(out, "switchboard_deliveries_total", "counter", "Broadcast frames handed to members.",
       deliveries_total);
  out << "# HELP switchboard_dropped_total Broadcast frames dropped by an overflow policy.\n"
         "# TYPE switchboard_dropped_total counter\n"
      << "switchboard_dropped_total{policy=\"drop_newest\"} "
      << dropped_newest_total.load(std::memory_order_relaxed) << '\n'
      << "switchboard_dropped_total{policy=\"drop_oldest\"} "
      << dropped_oldest_total.load(std::memory_order_relaxed) << '\n';
  emit(out, "switchboard_rate_limited_total", "counter",
       "Inbound frames refused by the rate limit: messages answered {\"reason\":\"rate_limited\"}, "
       "pings left unanswered.",
       rate_limited_total);
  emit(out, "switchboard_control_overflows_total", "counter",
       "Connections closed (1013) with more than max_outbound_control_bytes of replies, pushes "
       "and pongs unread.",
       control_overflows_total);
  emit(out, "switchboard_malformed_total", "counter", "Undecodable frames (closed with 1007).",
       malformed_total);
  emit(out, "switchboard_overloaded_total", "counter",
       "Publishes answered {\"reason\":\"overloaded\"} by a room over room_mailbox_limit.",
       overloaded_total);
  emit(out, "switchboard_channel_crashes_total", "counter",
       "Member channels ended by a crash of a callback run for that member (phx_error to it "
       "alone).",
       channel_crashes_total);
  emit(out, "switchboard_room_crashes_total", "counter",
       "Rooms ended by a crash of a room-level callback (phx_error to every member).",
       room_crashes_total);
  emit(out, "switchboard_write_timeouts_total", "counter",
       "Connections dropped because their socket accepted no bytes for write_timeout.",
       write_timeouts_total);
  emit(out, "switchboard_idle_timeouts_total", "counter",
       "Connections closed (1001) after idle_timeout without inbound frames.", idle_timeouts_total);
  emit(out, "switchboard_handshake_timeouts_total", "counter",
       "HTTP connections dropped for not completing a request within handshake_timeout.",
       handshake_timeouts_total);
  emit(out, "switchboard_rooms", "gauge", "Rooms (topics with members).", rooms_current);
  emit(out, "switchboard_outbound_queue_bytes_max", "gauge",
       "Largest outbound queue of one connection seen so far, in bytes.", outbound_queue_bytes_max);
  out << "# HELP process_resident_memory_bytes Resident memory size in bytes.\n"
         "# TYPE process_resident_memory_bytes gauge\n"
      << "process_resident_memory_bytes " << resident_memory_bytes() << '\n';
  return out.str();
}

} // namespace switchboard::actors

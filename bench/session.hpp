// What the load generator remembers about one connection, beside its socket.
#pragma once

#include <cstdint>
#include <utility>
#include <vector>

namespace switchboard::bench {

enum class role : std::uint8_t { subscriber, publisher, slow, churn };

/// Where a connection is in its life: connect and upgrade, join, then the
/// scenario's work.
enum class stage : std::uint8_t { connecting, joining, joined, leaving, closing, done };

/// Delivery bookkeeping of one subscriber for one publisher: the next sequence
/// number expected and the gaps seen so far as half-open ranges (normally none,
/// so tracking allocates nothing).
struct seq_track {
  std::uint64_t expected = 0;
  std::vector<std::pair<std::uint64_t, std::uint64_t>> holes;
};

struct session {
  role kind = role::subscriber;
  stage at = stage::connecting;
  int room = 0;
  std::uint32_t pub_id = 0;       ///< publishers: global publisher id
  std::uint64_t seq = 0;          ///< publishers: next sequence number
  std::uint64_t next_send_ns = 0; ///< publishers: when the next message is due
  std::uint64_t started_ns = 0;   ///< when the connection attempt started
  std::uint64_t global_index = 0; ///< position among all connections of the run
  std::uint64_t received = 0;     ///< probe messages received
  std::vector<seq_track> tracks;  ///< subscribers: one per publisher of the room
};

} // namespace switchboard::bench

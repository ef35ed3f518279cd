#pragma once
/// The actor layer's limits, plain data with the one copy of each default. server::config holds
/// these structs whole and maps them to `[limits]` keys (docs/configuration.md says why each
/// default is what it is); this header includes nothing of CAF, so the config unit builds
/// without it.

#include <cstddef>

namespace switchboard::actors {

/// What each connection actor enforces (actors/connection.hpp holds it).
struct connection_limits {
  std::size_t max_channels = 100; ///< channels joined at once; a join past it is refused

  friend bool operator==(const connection_limits&, const connection_limits&) = default;
};

/// What each room actor enforces (actors/room.hpp).
struct room_limits {
  /// Messages waiting in the room's mailbox beyond which publishes are answered with
  /// {"reason":"overloaded"} instead of being handled.
  std::size_t mailbox_limit = 10'000;

  friend bool operator==(const room_limits&, const room_limits&) = default;
};

} // namespace switchboard::actors

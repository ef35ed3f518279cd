#pragma once
/// The drained notifications one connection owes (outbound_port::notify_when_drained): a
/// callback per requester, run when the connection's outbound queue has drained. ws_session keeps
/// one behind its mutex, next to its outbound_queue, and runs what take_all() hands out after
/// unlocking.
///
/// Bounded: one callback per requester (a room's actor id), and rooms cancel theirs when their
/// member leaves, so a connection holds at most one per room it is in (max_channels); the hard
/// cap below only guards against a room that never cancels (one that crashed while waiting).
///
/// Not thread-safe: one owner, or one mutex around every call.

#include "actors/outbound.hpp"

#include <cstddef>
#include <cstdint>
#include <utility>
#include <vector>

namespace switchboard::net {

class drain_waiters {
public:
  /// Requesters held at most; ten times the default max_channels.
  static constexpr std::size_t max_waiters = 1000;

  /// Keeps `on_drained` for `requester`, replacing a callback it left before. False (and nothing
  /// kept) when max_waiters other requesters wait already.
  bool add(std::uint64_t requester, actors::drained_callback on_drained);
  /// Drops `requester`'s callback, if any.
  void cancel(std::uint64_t requester) noexcept;
  /// Hands out every callback, in the order their requesters first asked, and holds none.
  [[nodiscard]] std::vector<actors::drained_callback> take_all();
  /// Drops every callback unrun (the connection closed).
  void clear() noexcept { waiters_.clear(); }

  [[nodiscard]] bool empty() const noexcept { return waiters_.empty(); }
  [[nodiscard]] std::size_t size() const noexcept { return waiters_.size(); }

private:
  std::vector<std::pair<std::uint64_t, actors::drained_callback>> waiters_; ///< linear: few rooms
};

} // namespace switchboard::net

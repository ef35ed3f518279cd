#pragma once
/// A member of a room: one connection's joined channel on the room's topic.

#include "actors/interfaces.hpp"
#include "actors/outbound.hpp"
#include "actors/socket_info.hpp"
#include "protocol/message.hpp"

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include <cstdint>
#include <memory>
#include <string>

namespace switchboard::actors {

/// Owned by the room; valid from `join` until the member leaves. Runs inside the room actor: never
/// keep a reference to it beyond a callback.
class member_base {
public:
  virtual ~member_base() = default;

  /// Unique among the room's members (the connection actor's id).
  [[nodiscard]] caf::actor_id id() const noexcept { return connection_.id(); }
  [[nodiscard]] const boost::json::value& join_ref() const noexcept { return join_ref_; }
  [[nodiscard]] protocol::serializer serializer() const noexcept { return serializer_; }
  [[nodiscard]] const socket_info& socket() const noexcept { return *socket_; }
  [[nodiscard]] const boost::json::object& params() const noexcept { return socket_->params; }
  [[nodiscard]] const boost::json::object& assigns() const noexcept { return socket_->assigns; }

private:
  friend class room_core;
  friend class member_access; ///< for tests that build members without a room (not defined here)
  connection_actor connection_;
  port_ptr port_;
  boost::json::value join_ref_;
  protocol::serializer serializer_ = protocol::serializer::v2;
  std::shared_ptr<const socket_info> socket_;
  /// Its channel crashed: it gets no more frames and leaves once the room finished the message
  /// being handled.
  bool crashed_ = false;
  /// The room's number of the drained notification it awaits for this member; 0 = none.
  std::uint64_t drain_request_ = 0;
};

/// A member with the per-member state a channel defines (a plain struct, default-constructed on
/// join).
template <class State>
class member final : public member_base {
public:
  State state{};
};

} // namespace switchboard::actors

#pragma once
/// How a channel's typed info messages travel through the room actor's mailbox. A channel
/// `channel<State, Info>` accepts one type `Info` (a struct, or a std::variant of structs); the
/// room carries it as an `info_envelope<Info>` inside an info_message, and the channel
/// unpacks it for handle_info. A message of any other type is logged at debug and ignored.

#include <caf/allowed_unsafe_message_type.hpp>
#include <caf/make_message.hpp>
#include <caf/message.hpp>

#include <type_traits>
#include <utility>

namespace switchboard::actors {

/// The `Info` of a channel that takes no info messages.
struct no_info {};

/// Wraps an info so that any type can travel in a caf::message: info messages never leave the
/// process, so they need no serialization (CAF asks for it of every type otherwise).
template <class Info>
struct info_envelope {
  Info value;
};

/// The content of an info_message to send a room so that its channel's handle_info gets
/// `info`. Inside a channel, prefer send_self / send_after / every.
template <class Info>
[[nodiscard]] caf::message make_info_message(Info info) {
  return caf::make_message(info_envelope<std::decay_t<Info>>{std::move(info)});
}

} // namespace switchboard::actors

namespace caf {
template <class Info>
struct allowed_unsafe_message_type<switchboard::actors::info_envelope<Info>> : std::true_type {};
} // namespace caf

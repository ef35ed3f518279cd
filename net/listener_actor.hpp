#pragma once
/// The listener's place in the supervision tree: an actor that owns a bound, accepting listener
/// and stops it when it exits. It answers endpoint_request with the address it is bound to (the
/// port the system picked for port 0).

#include "net/server_context.hpp"
#include "supervision/child_spec.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <caf/allowed_unsafe_message_type.hpp>
#include <caf/replies_to.hpp>
#include <caf/typed_actor.hpp>

#include <cstdint>
#include <string>

namespace switchboard::net {

struct endpoint_request {};

using listener_actor =
  caf::typed_actor<caf::replies_to<endpoint_request>::with<boost::asio::ip::tcp::endpoint>>;

/// The start function of the listener child: binds `host`:`port` on `ioc` (a start error naming
/// the address when it is unavailable), starts accepting, and spawns the actor that owns it.
[[nodiscard]] supervision::start_fun listener_starter(boost::asio::io_context& ioc,
                                                      std::string host, std::uint16_t port,
                                                      const server_context& ctx);

} // namespace switchboard::net

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(switchboard::net::endpoint_request)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(boost::asio::ip::tcp::endpoint)

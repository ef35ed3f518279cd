#pragma once

#include <boost/json/object.hpp>

#include <string>

namespace switchboard::actors {

/// What the socket knows about its connection: the connect params (the query string, `vsn`
/// included) and what the socket-level connect hook assigned. Shared by all of the connection's
/// members; immutable after the handshake.
struct socket_info {
  boost::json::object params;
  boost::json::object assigns;
  std::string id; ///< socket id for forced disconnects; empty for anonymous sockets
};

} // namespace switchboard::actors

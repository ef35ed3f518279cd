#pragma once
/// The socket-level connect hook (Phoenix's `connect/3`): decides whether a WebSocket upgrade is
/// accepted, and what the connection's channels see as its assigns and socket id.

#include <boost/json/object.hpp>

#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace switchboard::actors {

/// What the handshake knows besides the query params.
struct connect_info {
  std::string peer_address; ///< "ip:port" of the client
  std::string uri;          ///< the request target, query included
  std::string user_agent;
  std::optional<std::string> auth_token; ///< from the `base64url.bearer.phx.` subprotocol, decoded
  std::vector<std::pair<std::string, std::string>> x_headers; ///< every `x-*` request header
};

struct connect_result {
  bool accepted = true;
  boost::json::object assigns; ///< visible to channels as member.assigns()
  std::string socket_id;       ///< empty = anonymous
  unsigned http_status = 403;  ///< for a refusal

  static connect_result accept(boost::json::object assigns = {}, std::string socket_id = {}) {
    return {true, std::move(assigns), std::move(socket_id), 403};
  }
  static connect_result refuse(unsigned http_status = 403) { return {false, {}, {}, http_status}; }
};

/// Called once per upgrade request with the query params (vsn included). Runs on an I/O thread
/// during the handshake: it must be quick and must not block. The default accepts everyone.
using connect_handler =
  std::function<connect_result(const boost::json::object& params, const connect_info& info)>;

} // namespace switchboard::actors

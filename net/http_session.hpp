#pragma once
/// Reads HTTP requests on a fresh connection: `GET /healthz` → 200; `GET <socket_path>/websocket`
/// → serializer negotiation (vsn) and the WebSocket upgrade, after which the socket is handed to
/// a ws_session and a connection actor; anything else → 404. The whole handshake must arrive
/// within `handshake_timeout` (slow senders are dropped).

#include "net/server_context.hpp"

#include <boost/asio/ip/tcp.hpp>

namespace switchboard::net {

void start_http_session(boost::asio::ip::tcp::socket socket, const server_context& ctx);

} // namespace switchboard::net

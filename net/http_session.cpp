#include "net/http_session.hpp"

#include "actors/connection.hpp"
#include "protocol/codec.hpp"

#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/url/parse.hpp>
#include <spdlog/spdlog.h>

#include <memory>
#include <optional>
#include <string>

namespace switchboard::net {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
using boost::system::error_code;

namespace {

using request = http::request<http::string_body>;

struct parsed_target {
  std::string path;
  boost::json::object params;
  std::optional<std::string> vsn;
};

std::optional<parsed_target> parse_target(std::string_view target) {
  auto url = boost::urls::parse_origin_form(target);
  if (!url)
    return std::nullopt;
  parsed_target out;
  out.path = std::string{url->path()};
  for (auto param : url->params()) {
    if (param.key == "vsn")
      out.vsn = param.value;
    out.params[param.key] = param.value;
  }
  return out;
}

// The subprotocol phoenix.js offers with an auth token; browsers abort unless it is echoed.
bool offers_phoenix_subprotocol(const request& req) {
  auto offered = req[http::field::sec_websocket_protocol];
  for (std::size_t pos = 0; pos < offered.size();) {
    auto end = offered.find(',', pos);
    auto item = offered.substr(pos, end == std::string_view::npos ? end : end - pos);
    while (!item.empty() && item.front() == ' ')
      item.remove_prefix(1);
    while (!item.empty() && item.back() == ' ')
      item.remove_suffix(1);
    if (item == "phoenix")
      return true;
    if (end == std::string_view::npos)
      break;
    pos = end + 1;
  }
  return false;
}

class http_session : public std::enable_shared_from_this<http_session> {
public:
  http_session(asio::ip::tcp::socket socket, const server_context& ctx)
    : stream_(std::move(socket)), ctx_(ctx) {}

  void start() { do_read(); }

private:
  void do_read() {
    req_ = {};
    stream_.expires_after(ctx_.handshake_timeout);
    http::async_read(stream_, buffer_, req_,
                     [self = shared_from_this()](error_code ec, std::size_t) { self->on_read(ec); });
  }

  void on_read(error_code ec) {
    if (ec)
      return fail(ec, "read");
    auto target = parse_target(req_.target());
    if (!target)
      return respond(http::status::bad_request, "bad request target\n");
    if (target->path == "/healthz")
      return respond(http::status::ok, "ok\n");
    if (target->path != ctx_.socket_path + "/websocket")
      return respond(http::status::not_found, "not found\n");
    if (req_.method() != http::verb::get || !websocket::is_upgrade(req_))
      return respond(http::status::bad_request, "expected a WebSocket upgrade\n");
    auto serializer = protocol::negotiate_serializer(
      target->vsn ? std::optional<std::string_view>{*target->vsn} : std::nullopt);
    if (!serializer) {
      spdlog::warn("refusing connection: unsupported vsn \"{}\"", target->vsn.value_or(""));
      return respond(http::status::forbidden, "unsupported serializer version\n");
    }
    upgrade(*serializer, std::move(target->params));
  }

  void upgrade(protocol::serializer serializer, boost::json::object params) {
    auto ws = std::make_shared<websocket::stream<beast::tcp_stream>>(std::move(stream_));
    if (offers_phoenix_subprotocol(req_))
      ws->set_option(websocket::stream_base::decorator([](websocket::response_type& res) {
        res.set(http::field::sec_websocket_protocol, "phoenix");
      }));
    auto info = std::make_shared<actors::socket_info>();
    info->params = std::move(params);
    ws->async_accept(req_, [self = shared_from_this(), ws, serializer, info](error_code ec) {
      if (ec)
        return self->fail(ec, "accept");
      beast::get_lowest_layer(*ws).expires_never();
      auto early = beast::buffers_to_string(self->buffer_.data());
      auto session = std::make_shared<ws_session>(beast::get_lowest_layer(*ws).release_socket(),
                                                  serializer, self->ctx_.session);
      auto connection =
        actors::spawn_connection(*self->ctx_.system, session, info, self->ctx_.actors);
      if (self->ctx_.adopt_connection)
        self->ctx_.adopt_connection(connection);
      session->start(std::move(connection), std::move(early));
    });
  }

  void respond(http::status status, std::string body) {
    auto res = std::make_shared<http::response<http::string_body>>(status, req_.version());
    res->set(http::field::server, "switchboard");
    res->set(http::field::content_type, "text/plain");
    res->keep_alive(req_.keep_alive() && status == http::status::ok);
    res->body() = std::move(body);
    res->prepare_payload();
    http::async_write(stream_, *res, [self = shared_from_this(), res](error_code ec, std::size_t) {
      if (ec)
        return self->fail(ec, "write");
      if (res->keep_alive())
        return self->do_read();
      error_code ignored;
      self->stream_.socket().shutdown(asio::ip::tcp::socket::shutdown_send, ignored);
    });
  }

  void fail(error_code ec, const char* what) {
    if (ec == beast::error::timeout)
      spdlog::debug("handshake timed out");
    else if (ec != http::error::end_of_stream && ec != asio::error::eof)
      spdlog::debug("http {}: {}", what, ec.message());
    error_code ignored;
    stream_.socket().close(ignored);
  }

  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  request req_;
  const server_context& ctx_;
};

} // namespace

void start_http_session(asio::ip::tcp::socket socket, const server_context& ctx) {
  std::make_shared<http_session>(std::move(socket), ctx)->start();
}

} // namespace switchboard::net

#include "net/http_session.hpp"

#include "net/hand_off.hpp"

#include "actors/connection.hpp"
#include "actors/metrics.hpp"
#include "protocol/codec.hpp"

#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/url/parse.hpp>
#include <spdlog/spdlog.h>

#include <boost/beast/core/detail/base64.hpp>

#include <cctype>
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

struct offered_subprotocols {
  bool phoenix = false;
  std::optional<std::string> auth_token;
};

// phoenix.js offers "phoenix" plus "base64url.bearer.phx.<token>" when it has an auth token;
// browsers abort the handshake unless "phoenix" is echoed (docs/protocol.md §1.2 steps 4-5).
offered_subprotocols parse_subprotocols(const request& req) {
  static constexpr std::string_view token_prefix = "base64url.bearer.phx.";
  offered_subprotocols out;
  auto offered = req[http::field::sec_websocket_protocol];
  for (std::size_t pos = 0; pos <= offered.size();) {
    auto end = offered.find(',', pos);
    auto item =
      offered.substr(pos, end == std::string_view::npos ? offered.size() - pos : end - pos);
    while (!item.empty() && item.front() == ' ')
      item.remove_prefix(1);
    while (!item.empty() && item.back() == ' ')
      item.remove_suffix(1);
    if (item == "phoenix") {
      out.phoenix = true;
    } else if (item.starts_with(token_prefix)) {
      // Standard Base64 with the padding stripped, despite the prefix's name.
      std::string encoded{item.substr(token_prefix.size())};
      while (encoded.size() % 4 != 0)
        encoded.push_back('=');
      std::string decoded(beast::detail::base64::decoded_size(encoded.size()), '\0');
      auto [written, read] =
        beast::detail::base64::decode(decoded.data(), encoded.data(), encoded.size());
      (void)read;
      decoded.resize(written);
      out.auth_token = std::move(decoded);
    }
    if (end == std::string_view::npos)
      break;
    pos = end + 1;
  }
  return out;
}

actors::connect_info make_connect_info(const request& req, const beast::tcp_stream& stream,
                                       std::optional<std::string> auth_token) {
  actors::connect_info info;
  error_code ec;
  auto peer = stream.socket().remote_endpoint(ec);
  if (!ec)
    info.peer_address = peer.address().to_string() + ":" + std::to_string(peer.port());
  info.uri = std::string{req.target()};
  info.user_agent = std::string{req[http::field::user_agent]};
  info.auth_token = std::move(auth_token);
  for (const auto& field : req) {
    auto name = std::string{field.name_string()};
    for (auto& c : name)
      c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (name.starts_with("x-"))
      info.x_headers.emplace_back(std::move(name), std::string{field.value()});
  }
  return info;
}

// RFC 6455 §4.1: the key is 16 random bytes in Base64, always 24 characters ending in "==".
bool is_valid_websocket_key(std::string_view key) {
  if (key.size() != 24 || !key.ends_with("=="))
    return false;
  std::uint8_t decoded[18];
  // Decoding stops at the padding: 22 characters hold the 16 bytes.
  auto [written, read] = beast::detail::base64::decode(decoded, key.data(), key.size());
  return written == 16 && read == 22;
}

class http_session : public std::enable_shared_from_this<http_session> {
public:
  http_session(asio::ip::tcp::socket socket, const server_context& ctx)
      : stream_(std::move(socket)), ctx_(ctx) {}
  ~http_session() { ctx_.sessions->release_http(); }

  void start() { do_read(); }

private:
  // Headers only: no path here takes a request body, so none is ever buffered (on_read
  // answers 413 to a request that announces one).
  void do_read() {
    parser_.emplace();
    stream_.expires_after(ctx_.accept.handshake_timeout);
    http::async_read_header(
      stream_, buffer_, *parser_,
      [self = shared_from_this()](error_code ec, std::size_t) { self->on_read(ec); });
  }

  void on_read(error_code ec) {
    if (ec)
      return fail(ec, "read");
    const bool has_body = parser_->chunked() || parser_->content_length().value_or(0) != 0;
    req_ = parser_->release();
    if (has_body) {
      actors::add(actors::metrics::global().http_bodies_refused_total);
      req_.keep_alive(false);
      return respond(http::status::payload_too_large, "request bodies are not accepted\n");
    }
    auto target = parse_target(req_.target());
    if (!target)
      return respond(http::status::bad_request, "bad request target\n");
    const bool read_only = req_.method() == http::verb::get || req_.method() == http::verb::head;
    if (target->path == "/healthz" || target->path == "/metrics") {
      if (!read_only)
        return respond(http::status::method_not_allowed, "method not allowed\n");
      if (target->path == "/healthz")
        return respond(http::status::ok, "ok\n");
      return respond(http::status::ok, actors::metrics::global().render(),
                     "text/plain; version=0.0.4");
    }
    if (target->path != ctx_.socket_path + "/websocket")
      return respond(http::status::not_found, "not found\n");
    if (req_.method() != http::verb::get || !websocket::is_upgrade(req_))
      return respond(http::status::bad_request, "expected a WebSocket upgrade\n");
    // Beast's accept would answer these itself, naming the library in its Server header.
    if (req_[http::field::host].empty())
      return respond(http::status::bad_request, "missing Host header\n");
    if (req_[http::field::sec_websocket_version] != "13")
      return respond(http::status::upgrade_required, "unsupported WebSocket version\n");
    if (!is_valid_websocket_key(req_[http::field::sec_websocket_key]))
      return respond(http::status::bad_request, "invalid Sec-WebSocket-Key\n");
    auto serializer = protocol::negotiate_serializer(
      target->vsn ? std::optional<std::string_view>{*target->vsn} : std::nullopt);
    if (!serializer) {
      spdlog::warn("refusing connection: unsupported vsn \"{}\"", target->vsn.value_or(""));
      return respond(http::status::forbidden, "unsupported serializer version\n");
    }
    auto subprotocols = parse_subprotocols(req_);
    auto info = std::make_shared<actors::socket_info>();
    if (ctx_.on_connect) {
      auto result = ctx_.on_connect(
        target->params, make_connect_info(req_, stream_, std::move(subprotocols.auth_token)));
      if (!result.accepted)
        return respond(static_cast<http::status>(result.http_status), "connection refused\n");
      info->assigns = std::move(result.assigns);
      info->id = std::move(result.socket_id);
    }
    info->params = std::move(target->params);
    if (!ctx_.sessions->try_reserve(ctx_.accept.max_connections)) {
      actors::add(actors::metrics::global().connections_refused_total);
      return respond(http::status::service_unavailable, "too many connections\n");
    }
    upgrade(*serializer, subprotocols.phoenix, std::move(info));
  }

  void upgrade(protocol::serializer serializer, bool echo_phoenix,
               std::shared_ptr<actors::socket_info> info) {
    auto ws = std::make_shared<websocket::stream<beast::tcp_stream>>(std::move(stream_));
    // Replaces Beast's own Server header, which names the library and its version.
    ws->set_option(websocket::stream_base::decorator([echo_phoenix](websocket::response_type& res) {
      res.set(http::field::server, "switchboard");
      if (echo_phoenix)
        res.set(http::field::sec_websocket_protocol, "phoenix");
    }));
    ws->async_accept(req_, [self = shared_from_this(), ws, serializer, info](error_code ec) {
      if (ec) {
        self->ctx_.sessions->release();
        return self->fail(ec, "accept");
      }
      beast::get_lowest_layer(*ws).expires_never();
      auto early = beast::buffers_to_string(self->buffer_.data());
      auto session =
        std::make_shared<ws_session>(beast::get_lowest_layer(*ws).release_socket(), serializer,
                                     self->ctx_.session, *self->ctx_.sessions);
      hand_off(self->ctx_, std::move(session), std::move(info), std::move(early));
    });
  }

  void respond(http::status status, std::string body,
               std::string_view content_type = "text/plain") {
    // A HEAD response carries the GET response's headers, Content-Length included, and no body.
    if (req_.method() == http::verb::head) {
      http::response<http::empty_body> res{status, req_.version()};
      res.content_length(body.size());
      return write(std::move(res), content_type);
    }
    http::response<http::string_body> res{status, req_.version()};
    res.body() = std::move(body);
    res.prepare_payload();
    write(std::move(res), content_type);
  }

  template <class Body>
  void write(http::response<Body>&& response, std::string_view content_type) {
    auto res = std::make_shared<http::response<Body>>(std::move(response));
    res->set(http::field::server, "switchboard");
    res->set(http::field::content_type, content_type);
    if (res->result() == http::status::upgrade_required)
      res->set(http::field::sec_websocket_version, "13");
    res->keep_alive(req_.keep_alive() && res->result() == http::status::ok);
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
    if (ec == beast::error::timeout) {
      actors::add(actors::metrics::global().handshake_timeouts_total);
      spdlog::debug("handshake timed out");
    } else if (ec != http::error::end_of_stream && ec != asio::error::eof)
      spdlog::debug("http {}: {}", what, ec.message());
    error_code ignored;
    stream_.socket().close(ignored);
  }

  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  request req_;
  const server_context& ctx_;
};

} // namespace

void start_http_session(asio::ip::tcp::socket socket, const server_context& ctx) {
  if (!ctx.sessions->try_admit_http(ctx.accept.max_http_connections)) {
    // Refused before anything is read or allocated for it; a best-effort answer, then close.
    actors::add(actors::metrics::global().http_connections_refused_total);
    static constexpr std::string_view refusal =
      "HTTP/1.1 503 Service Unavailable\r\nServer: switchboard\r\nContent-Length: 0\r\n"
      "Connection: close\r\n\r\n";
    error_code ignored;
    socket.non_blocking(true, ignored);
    socket.write_some(asio::buffer(refusal), ignored);
    socket.close(ignored);
    return;
  }
  std::make_shared<http_session>(std::move(socket), ctx)->start();
}

} // namespace switchboard::net

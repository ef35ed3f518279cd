#include "net/listener.hpp"

#include "net/http_session.hpp"

#include <boost/asio/post.hpp>
#include <boost/asio/strand.hpp>
#include <spdlog/spdlog.h>

namespace switchboard::net {

namespace asio = boost::asio;
using asio::ip::tcp;

listener::listener(asio::io_context& ioc, const tcp::endpoint& endpoint, const server_context& ctx)
    : ioc_(ioc), acceptor_(ioc), ctx_(ctx) {
  acceptor_.open(endpoint.protocol());
  acceptor_.set_option(asio::socket_base::reuse_address(true));
  acceptor_.bind(endpoint);
  acceptor_.listen(asio::socket_base::max_listen_connections);
}

tcp::endpoint listener::local_endpoint() const {
  return acceptor_.local_endpoint();
}

void listener::start() {
  do_accept();
}

void listener::stop() {
  asio::post(acceptor_.get_executor(), [self = shared_from_this()] {
    boost::system::error_code ignored;
    self->acceptor_.close(ignored);
  });
}

void listener::do_accept() {
  acceptor_.async_accept(asio::make_strand(ioc_),
                         [self = shared_from_this()](boost::system::error_code ec, tcp::socket s) {
                           if (ec == asio::error::operation_aborted)
                             return;
                           if (ec) {
                             // EMFILE and friends: log and keep accepting; the descriptors come
                             // back as peers leave.
                             spdlog::warn("accept: {}", ec.message());
                           } else {
                             start_http_session(std::move(s), self->ctx_);
                           }
                           self->do_accept();
                         });
}

} // namespace switchboard::net

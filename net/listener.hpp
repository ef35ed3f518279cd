#pragma once
/// Accepts TCP connections and hands each to an HTTP session on its own strand.

#include "net/server_context.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

#include <memory>

namespace switchboard::net {

class listener : public std::enable_shared_from_this<listener> {
public:
  /// Binds and listens; throws boost::system::system_error when the address is unavailable.
  listener(boost::asio::io_context& ioc, const boost::asio::ip::tcp::endpoint& endpoint,
           const server_context& ctx);

  void start();
  /// Stops accepting; existing connections are unaffected.
  void stop();
  [[nodiscard]] boost::asio::ip::tcp::endpoint local_endpoint() const;

private:
  void do_accept();

  boost::asio::io_context& ioc_;
  boost::asio::ip::tcp::acceptor acceptor_;
  const server_context& ctx_;
};

} // namespace switchboard::net

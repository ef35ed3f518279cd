#include "net/listener_actor.hpp"

#include "net/listener.hpp"

#include <caf/all.hpp>

#include <memory>

namespace switchboard::net {

namespace {

listener_actor::behavior_type holder(listener_actor::pointer self, std::shared_ptr<listener> l) {
  self->attach_functor([l] { l->stop(); });
  return {[l](endpoint_request) { return l->local_endpoint(); }};
}

} // namespace

supervision::start_fun listener_starter(boost::asio::io_context& ioc, std::string host,
                                        std::uint16_t port, const server_context& ctx) {
  return [&ioc, host = std::move(host), port,
          &ctx](caf::actor_system& sys, const caf::message&) -> supervision::start_result {
    std::shared_ptr<listener> l;
    try {
      l = std::make_shared<listener>(
        ioc, boost::asio::ip::tcp::endpoint{boost::asio::ip::make_address(host), port}, ctx);
    } catch (const std::exception& e) {
      return caf::make_error(caf::sec::runtime_error, "cannot listen on " + host + ":" +
                                                        std::to_string(port) + ": " + e.what());
    }
    l->start();
    return caf::actor_cast<caf::actor>(sys.spawn(holder, l));
  };
}

} // namespace switchboard::net

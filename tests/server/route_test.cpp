// Routes declared in code (server::route with actors::make).
#include "actors/channel.hpp"
#include "actors/router.hpp"
#include "server/config.hpp"
#include "server/server.hpp"

#include <doctest/doctest.h>

namespace {

namespace sb = switchboard;

struct greeting {
  std::string text = "hello";
};

/// Accepts every join with {"greeting": <options.text>}.
class greeter final : public sb::actors::channel<> {
public:
  explicit greeter(greeting g) : g_(std::move(g)) {}
  sb::actors::join_result join(std::string_view, const sb::protocol::payload&,
                               member_type&) override {
    return sb::actors::join_result::accept(boost::json::object{{"greeting", g_.text}});
  }
  sb::actors::in_result handle_in(std::string_view, const sb::protocol::payload&,
                                  member_type&) override {
    return sb::actors::in_result::noreply();
  }

private:
  greeting g_;
};

} // namespace

TEST_CASE(
  "make<Channel>(options) gives every room its own channel built from a copy of the options") {
  auto factory = sb::actors::make<greeter>(greeting{"hi"});
  auto a = factory("t:1");
  auto b = factory("t:2");
  REQUIRE(a);
  REQUIRE(b);
  CHECK(a.get() != b.get());
  sb::actors::router routes;
  REQUIRE(routes.add("t:*", "(code)", factory).empty());
  CHECK(routes.match("t:9"));
  CHECK_FALSE(routes.match("u:9"));
}

TEST_CASE("a route in code with an invalid pattern makes start() fail, naming it, before binding") {
  auto config = sb::server::default_config();
  config.listener.port = 0;
  sb::server::server srv{config};
  srv.route("a*b", sb::actors::make<greeter>(greeting{}));
  auto error = srv.start();
  CHECK(error.find("route a*b") != std::string::npos);
}

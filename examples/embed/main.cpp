// An application that embeds Switchboard: its own behaviour, its own socket connect hook, its
// own embedded configuration, and the same flags as the `switchboard` binary.

#include "server/cli.hpp"

#include "actors/channel.hpp"

#include <boost/json/object.hpp>

namespace {

namespace sb = switchboard::actors;

// Every key left out keeps the server default; the stock routes stay available next to ours.
constexpr std::string_view default_toml = R"toml(
[[routes]]
pattern = "hello:*"
behaviour = "greeter"

[[routes]]
pattern = "room:*"
behaviour = "broadcast"
)toml";

/// Greets each joiner by the user name the connect hook assigned; `shout` is broadcast.
class greeter final : public sb::channel<> {
public:
  sb::join_result join(std::string_view topic, const switchboard::protocol::payload&,
                       member_type& m) override {
    const auto* user = m.assigns().if_contains("user");
    std::string name = user && user->is_string() ? std::string{user->get_string()} : "stranger";
    return sb::join_result::accept(
      boost::json::object{{"greeting", "hello, " + name + ", welcome to " + std::string{topic}}});
  }

  sb::in_result handle_in(std::string_view event, const switchboard::protocol::payload& p,
                          member_type&) override {
    if (event != "shout")
      return sb::in_result::error(boost::json::object{{"reason", "unknown event"}});
    room().broadcast("shout", p);
    return sb::in_result::ok();
  }
};

/// Accepts sockets that carry a `user` query parameter and remembers it for the channels.
sb::connect_result authenticate(const boost::json::object& params, const sb::connect_info&) {
  const auto* user = params.if_contains("user");
  if (!user || !user->is_string() || user->get_string().empty())
    return sb::connect_result::refuse(403);
  return sb::connect_result::accept({{"user", *user}}, "user:" + std::string{user->get_string()});
}

} // namespace

int main(int argc, char** argv) {
  return switchboard::server::run_main(
    argc, argv, {"switchboard-embed", "an application embedding Switchboard", default_toml},
    [](switchboard::server::server& srv) {
      srv.behaviours().add<greeter>("greeter");
      srv.set_connect_handler(authenticate);
    });
}

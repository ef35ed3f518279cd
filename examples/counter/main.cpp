// switchboard-counter: a shared counter per topic (`counter:*`), its state kept in the room.

#include "counter_channel.hpp"
#include "server/cli.hpp"

// The route is declared in code: no TOML needed. A --config file may still add routes (and
// every other setting); routes in code are matched first.
int main(int argc, char** argv) {
  return switchboard::server::run_main(
    argc, argv, {"switchboard-counter", "a shared counter per counter:* topic", ""},
    [](switchboard::server::server& srv) {
      srv.route("counter:*", switchboard::actors::make<counter_example::counter>());
    });
}

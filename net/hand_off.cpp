#include "net/hand_off.hpp"

#include "supervision/api.hpp"
#include "supervision/names.hpp"

#include <caf/all.hpp>
#include <spdlog/spdlog.h>

namespace switchboard::net {

void hand_off(const server_context& ctx, std::shared_ptr<ws_session> session,
              std::shared_ptr<const actors::socket_info> info, std::string early) {
  auto sup =
    supervision::whereis<supervision::supervisor_actor>(*ctx.system, ctx.connections_supervisor);
  auto refuse = [](const std::shared_ptr<ws_session>& s, const std::string& why) {
    spdlog::warn("no connection actor for an upgraded session: {}", why);
    // Started without an actor, the session completes the close handshake and frees its slot.
    s->start(actors::connection_actor{}, {});
    s->close(actors::close_code::try_again_later, "server restarting");
  };
  if (!sup)
    return refuse(session, "no connections supervisor");
  // A one-shot actor makes the asynchronous request (an I/O thread must never block on an
  // actor) and ends once the reply arrived. The wait is bounded like the handshake: until the
  // session starts, neither the sweep nor close_all sees it. The session travels as a spawn
  // argument because CAF 0.17 trips UBSan on actors spawned with none.
  const caf::duration timeout{ctx.accept.handshake_timeout};
  ctx.system->spawn(
    [sup, info = std::move(info), early = std::move(early), refuse,
     timeout](caf::event_based_actor* self, std::shared_ptr<ws_session> session) mutable {
      auto args = caf::make_message(actors::port_ptr{session}, std::move(info));
      supervision::start_child(self, sup, std::move(args), timeout)
        .then(
          [session, early = std::move(early)](const caf::actor& connection) mutable {
            session->start(caf::actor_cast<actors::connection_actor>(connection), std::move(early));
          },
          [session, refuse, self](const caf::error& err) {
            refuse(session, self->system().render(err));
          });
    },
    std::move(session));
}

} // namespace switchboard::net

#pragma once
/// A channel that crashes on request, to watch "let it crash" from a client: what a crash does
/// to the sender, to the room's other members, to other rooms, and how phoenix.js recovers.
///
/// * join: accepted with {}, unless the payload has {"crash_join": true}: then join throws, and
///   that join alone is answered {"reason": "join crashed"} (the room keeps running).
/// * `crash`: throws from handle_in, which runs for the sender: only the sender's channel ends.
///   It gets `phx_error` {"reason": "channel_crash"}, leaves the room (its presence, if any,
///   leaves too) and phoenix.js rejoins it into the same room; the room and its other members
///   notice nothing else.
/// * `fail`: returns stop with the reason "failed" — an abnormal stop, so the same as `crash`.
/// * `crash_room`: an ok reply, then the room itself crashes: handle_in sends the room a
///   `crash_room_request` (send_self) and handle_info, which runs for the room rather than for a
///   member, throws. Every
///   member of this topic gets `phx_error` and phoenix.js rejoins each of them into a new room.
/// * `stop`: returns stop("normal") with an ok reply: only the sender's channel ends, with
///   `phx_close`, and it does not rejoin.
/// * `stall` with {"ms": N} (N ≤ 30000): blocks the room for N ms before the ok reply, like a
///   callback stuck on a slow call; joins queued behind it meanwhile show what a join that
///   waits too long gets ({"reason": "timeout"}, and it never takes effect).
/// * any other event E with payload P: broadcast as E to every member, then echoed back to the
///   sender as the ok reply's response.
/// * presence: a join whose payload has a string "user_id" is tracked under it, so that what a
///   crash does to phoenix.js `Presence` can be watched too (a crashed channel's presence leaves;
///   a crashed room's presences are gone, and the rejoined members are tracked again by the new
///   room and resync).

#include "actors/channel.hpp"
#include "actors/presence.hpp"

#include <boost/json/object.hpp>

#include <chrono>
#include <stdexcept>
#include <string>
#include <thread>

namespace crashy_example {

namespace sb = switchboard::actors;
using switchboard::protocol::payload;

/// Per member: the presence key from the join payload, if any.
struct crash_member {
  std::string user_id;
};

/// The room's message to itself that crashes it in handle_info.
struct crash_room_request {};

class crash_channel final : public sb::channel<crash_member, crash_room_request> {
public:
  sb::join_result join(std::string_view topic, const payload& p, member_type& m) override {
    const auto* json = std::get_if<boost::json::value>(&p);
    const auto* fields = json ? json->if_object() : nullptr;
    const auto* crash = fields ? fields->if_contains("crash_join") : nullptr;
    if (crash && crash->is_bool() && crash->get_bool())
      throw std::runtime_error("join of " + std::string{topic} + " crashed on request");
    const auto* user = fields ? fields->if_contains("user_id") : nullptr;
    if (user && user->is_string())
      m.state.user_id = std::string{user->get_string()};
    return sb::join_result::accept();
  }

  void after_join(member_type& m) override {
    if (m.state.user_id.empty())
      return;
    presence_.track(m, m.state.user_id, {});
    presence_.push_state(m);
  }

  void leave(member_type& m, sb::leave_reason) override { presence_.leave(m); }

  sb::in_result handle_in(std::string_view event, const payload& p, member_type&) override {
    if (event == "crash")
      throw std::runtime_error("crash requested on " + room().topic());
    if (event == "fail")
      return sb::in_result::stop("failed");
    if (event == "crash_room") {
      send_self(crash_room_request{});
      return sb::in_result::ok();
    }
    if (event == "stop")
      return sb::in_result::stop("normal", sb::reply_payload{});
    if (event == "stall") {
      const auto* json = std::get_if<boost::json::value>(&p);
      const auto* ms = json && json->is_object() ? json->as_object().if_contains("ms") : nullptr;
      if (ms && ms->is_int64() && ms->get_int64() > 0 && ms->get_int64() <= 30000)
        std::this_thread::sleep_for(std::chrono::milliseconds(ms->get_int64()));
      return sb::in_result::ok();
    }
    room().broadcast(event, p);
    return sb::in_result::ok(p);
  }

  sb::in_result handle_info(const crash_room_request&) override {
    throw std::runtime_error("room crash requested on " + room().topic());
  }

private:
  sb::presence presence_{*this};
};

} // namespace crashy_example

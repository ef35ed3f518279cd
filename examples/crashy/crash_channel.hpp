#pragma once
/// A channel that crashes on request, to watch "let it crash" from a client: what a crash does
/// to the room's members, to other rooms, and how phoenix.js recovers.
///
/// * join: accepted with {}, unless the payload has {"crash_join": true}: then join throws, and
///   that join alone is answered {"reason": "join crashed"} (the room keeps running).
/// * `crash`: throws from handle_in. The room actor dies: every member of this topic gets
///   `phx_error` {"reason": "channel_crash"} and phoenix.js rejoins each of them into a new room.
/// * `fail`: returns stop with the reason "failed" — an abnormal stop, so the same as a crash.
/// * `stop`: returns stop("normal") with an ok reply: only the sender's channel ends, with
///   `phx_close`, and it does not rejoin.
/// * any other event E with payload P: broadcast as E to every member, then echoed back to the
///   sender as the ok reply's response.

#include "actors/channel.hpp"

#include <boost/json/object.hpp>

#include <stdexcept>

namespace crashy_example {

namespace sb = switchboard::actors;
using switchboard::protocol::payload;

class crash_channel final : public sb::channel<> {
public:
  sb::join_result join(std::string_view topic, const payload& p, member_type&) override {
    const auto* json = std::get_if<boost::json::value>(&p);
    const auto* fields = json ? json->if_object() : nullptr;
    const auto* crash = fields ? fields->if_contains("crash_join") : nullptr;
    if (crash && crash->is_bool() && crash->get_bool())
      throw std::runtime_error("join of " + std::string{topic} + " crashed on request");
    return sb::join_result::accept();
  }

  sb::in_result handle_in(std::string_view event, const payload& p, member_type&) override {
    if (event == "crash")
      throw std::runtime_error("crash requested on " + room().topic());
    if (event == "fail")
      return sb::in_result::stop("failed");
    if (event == "stop")
      return sb::in_result::stop("normal", sb::reply_payload{});
    room().broadcast(event, p);
    return sb::in_result::ok(p);
  }
};

} // namespace crashy_example

#pragma once
/// Stock behaviour `shootout`: the channel of the websocket-shootout benchmark's Phoenix mode, so
/// that its unmodified client can measure Switchboard.
///
/// * join: always accepted with reply {} (the benchmark joins with a null payload);
/// * `echo` {body: B} → ok reply {"body": B, "type": "echo"};
/// * `broadcast` {body: B} → event `broadcast` {"body": B, "type": "broadcast"} to every member,
///   the sender included, then ok reply {"body": B, "type": "broadcastResult"};
/// * any other event → error reply {"reason": "unknown event"}.
///
/// B is copied as it is (any JSON value); a payload without `body` (or a binary payload) gives
/// B = null. The benchmark speaks V1 frames with `"ref": ""` and never sends heartbeats, so a
/// route serving it needs `[limits] idle_timeout_ms = 0` (docs/behaviors.md).

#include "actors/behaviour_registry.hpp"
#include "actors/channel.hpp"

#include <boost/json/object.hpp>

namespace switchboard::actors::stock {

class shootout final : public channel<> {
public:
  join_result join(std::string_view, const protocol::payload&, member_type&) override {
    return join_result::accept();
  }

  in_result handle_in(std::string_view event, const protocol::payload& payload,
                      member_type&) override {
    if (event == "echo")
      return in_result::ok(tagged(body_of(payload), "echo"));
    if (event == "broadcast") {
      const auto& body = body_of(payload);
      room().broadcast("broadcast", tagged(body, "broadcast"));
      return in_result::ok(tagged(body, "broadcastResult"));
    }
    return in_result::error(boost::json::object{{"reason", "unknown event"}});
  }

private:
  static const boost::json::value& body_of(const protocol::payload& payload) {
    static const boost::json::value none;
    const auto* json = std::get_if<boost::json::value>(&payload);
    const auto* fields = json ? json->if_object() : nullptr;
    const auto* body = fields ? fields->if_contains("body") : nullptr;
    return body ? *body : none;
  }

  static boost::json::value tagged(const boost::json::value& body, std::string_view type) {
    return boost::json::object{{"body", body}, {"type", type}};
  }
};

} // namespace switchboard::actors::stock

namespace switchboard::actors {

/// Registers `shootout` (no options).
void add_shootout_behaviour(behaviour_registry& r);

} // namespace switchboard::actors

#pragma once
/// A chat room per topic, with nicknames, history, typing indicators and an online list.
///
/// * join {"nickname": N}: refused with {"reason": "nickname required"} without a non-empty
///   string N, {"reason": "nickname too long"} above `max_nickname_bytes`; accepted with {}.
///   Right after the join reply the joiner gets `history` {"messages": [{nickname, body}, ...]}
///   (the last `history` messages, oldest first), then the online list as `presence_state`,
///   while the room gets a `presence_diff` (phoenix.js `Presence` syncs from both).
/// * `new_msg` {"body": B}: every member, the sender included, gets `new_msg` {nickname, body};
///   the sender's ok reply is {}. A missing or empty string body is an error reply.
/// * `typing` {"typing": bool (default true)}: every member except the sender gets `typing`
///   {nickname, typing}; ok reply {}.
/// * other events: error reply {"reason": "unknown event"}.
///
/// The online list is keyed by nickname: two tabs with the same nickname are one key with two
/// metas, as Phoenix presence does it.

#include "actors/channel.hpp"
#include "actors/presence.hpp"

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

#include <chrono>
#include <cstddef>
#include <string>

namespace chat_example {

namespace sb = switchboard::actors;
using switchboard::protocol::payload;

struct chat_options {
  std::size_t history = 50;            ///< messages kept for joiners
  std::size_t max_nickname_bytes = 32; ///< longer nicknames are refused
  std::size_t max_body_bytes = 4096;   ///< longer messages are refused
};

/// Per member: who it is.
struct chatter {
  std::string nickname;
};

class chat_room final : public sb::channel<chatter> {
public:
  explicit chat_room(chat_options options) : options_(options) {}

  sb::join_result join(std::string_view, const payload& p, member_type& m) override {
    m.state.nickname = sb::field<std::string>(p, "nickname").value_or("");
    if (m.state.nickname.empty())
      return sb::refuse("nickname required");
    if (m.state.nickname.size() > options_.max_nickname_bytes)
      return sb::refuse("nickname too long");
    return sb::join_result::accept();
  }

  void after_join(member_type& m) override {
    room().push(m, "history", boost::json::object{{"messages", history_}});
    presence_.track(m, m.state.nickname, {{"online_at", now_ms()}});
    presence_.push_state(m);
  }

  sb::in_result handle_in(std::string_view event, const payload& p, member_type& m) override {
    if (event == "new_msg") {
      auto body = sb::field<std::string>(p, "body").value_or("");
      if (body.empty())
        return sb::error("body required");
      if (body.size() > options_.max_body_bytes)
        return sb::error("body too long");
      boost::json::object msg{{"nickname", m.state.nickname}, {"body", body}};
      room().broadcast("new_msg", msg);
      remember(std::move(msg));
      return sb::in_result::ok();
    }
    if (event == "typing") {
      auto typing = sb::field<bool>(p, "typing").value_or(true);
      room().broadcast_from(
        m, "typing", boost::json::object{{"nickname", m.state.nickname}, {"typing", typing}});
      return sb::in_result::ok();
    }
    return sb::error("unknown event");
  }

  void leave(member_type& m, sb::leave_reason) override { presence_.leave(m); }

private:
  void remember(boost::json::object msg) {
    if (options_.history == 0)
      return;
    if (history_.size() == options_.history)
      history_.erase(history_.begin());
    history_.push_back(std::move(msg));
  }

  static std::int64_t now_ms() {
    using namespace std::chrono;
    return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
  }

  chat_options options_;
  boost::json::array history_; ///< oldest first, at most options_.history
  sb::presence presence_{*this};
};

} // namespace chat_example

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
#include <deque>
#include <string>

namespace chat_example {

namespace sb = switchboard::actors;
using switchboard::protocol::payload;

struct chat_options {
  std::size_t history = 50;             ///< messages kept for joiners
  std::size_t max_nickname_bytes = 32;  ///< longer nicknames are refused
  std::size_t max_body_bytes = 4096;    ///< longer messages are refused
};

/// Per member: who it is.
struct chatter {
  std::string nickname;
};

class chat_room final : public sb::channel<chatter> {
public:
  explicit chat_room(chat_options options) : options_(options) {}

  sb::join_result join(std::string_view, const payload& params, member_type& m) override {
    const auto* nickname = string_field(params, "nickname");
    if (!nickname || nickname->empty())
      return refuse("nickname required");
    if (nickname->size() > options_.max_nickname_bytes)
      return refuse("nickname too long");
    m.state.nickname = *nickname;
    return sb::join_result::accept();
  }

  void after_join(member_type& m) override {
    boost::json::array messages;
    for (const auto& msg : history_)
      messages.push_back(msg);
    room().push(m, "history", boost::json::object{{"messages", std::move(messages)}});
    presence_.track(m, m.state.nickname, {{"online_at", now_ms()}});
    presence_.push_state(m);
  }

  sb::in_result handle_in(std::string_view event, const payload& p, member_type& m) override {
    if (event == "new_msg")
      return new_message(p, m);
    if (event == "typing") {
      const auto* typing = field(p, "typing");
      room().broadcast_from(m, "typing",
                            boost::json::object{{"nickname", m.state.nickname},
                                                {"typing", !typing || !typing->is_bool() ||
                                                             typing->get_bool()}});
      return sb::in_result::ok();
    }
    return error("unknown event");
  }

  void leave(member_type& m, sb::leave_reason) override { presence_.leave(m); }

private:
  sb::in_result new_message(const payload& p, member_type& m) {
    const auto* body = string_field(p, "body");
    if (!body || body->empty())
      return error("body required");
    if (body->size() > options_.max_body_bytes)
      return error("body too long");
    boost::json::object msg{{"nickname", m.state.nickname}, {"body", *body}};
    room().broadcast("new_msg", msg);
    if (options_.history > 0) {
      if (history_.size() == options_.history)
        history_.pop_front();
      history_.push_back(std::move(msg));
    }
    return sb::in_result::ok();
  }

  static const boost::json::value* field(const payload& p, std::string_view name) {
    const auto* json = std::get_if<boost::json::value>(&p);
    const auto* fields = json ? json->if_object() : nullptr;
    return fields ? fields->if_contains(name) : nullptr;
  }

  static const boost::json::string* string_field(const payload& p, std::string_view name) {
    const auto* v = field(p, name);
    return v ? v->if_string() : nullptr;
  }

  static sb::join_result refuse(std::string_view reason) {
    return sb::join_result::refuse(boost::json::object{{"reason", reason}});
  }

  static sb::in_result error(std::string_view reason) {
    return sb::in_result::error(boost::json::object{{"reason", reason}});
  }

  static std::int64_t now_ms() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
  }

  chat_options options_;
  std::deque<boost::json::object> history_; ///< oldest first, at most options_.history
  sb::presence presence_{*this};
};

} // namespace chat_example

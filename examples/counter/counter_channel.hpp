#pragma once
/// A shared counter per topic. The value lives in the channel object, i.e. in the room actor:
/// every member of `counter:x` sees the same number, and nothing else can touch it.
///
/// * join: accepted with {}; then the joiner gets `state` {"value": n};
/// * `increment` / `decrement` with an optional {"by": k} (integer, default 1) and `reset`:
///   every member, the sender included, gets `state` {"value": n}; the sender's ok reply carries
///   the same {"value": n};
/// * a `by` that is not an integer, or a change that would overflow, is answered with an error
///   reply and changes nothing; unknown events get {"reason": "unknown event"}.
///
/// The room stops when its last member leaves, and the value goes with it: the next join starts
/// at 0. Durable state belongs in a store the channel loads in `join`.

#include "actors/channel.hpp"

#include <boost/json/object.hpp>

#include <cstdint>
#include <optional>

namespace counter_example {

namespace sb = switchboard::actors;

class counter final : public sb::channel<> {
public:
  sb::join_result join(std::string_view, const switchboard::protocol::payload&,
                       member_type&) override {
    return sb::join_result::accept();
  }

  void after_join(member_type& m) override { room().push(m, "state", state()); }

  sb::in_result handle_in(std::string_view event, const switchboard::protocol::payload& payload,
                          member_type&) override {
    if (event == "reset")
      return changed(0);
    if (event != "increment" && event != "decrement")
      return error("unknown event");
    auto by = step_of(payload);
    if (!by)
      return error("by must be an integer");
    std::int64_t next = 0;
    bool overflow = event == "increment" ? __builtin_add_overflow(value_, *by, &next)
                                         : __builtin_sub_overflow(value_, *by, &next);
    if (overflow)
      return error("overflow");
    return changed(next);
  }

private:
  boost::json::object state() const { return {{"value", value_}}; }

  sb::in_result changed(std::int64_t value) {
    value_ = value;
    room().broadcast("state", state());
    return sb::in_result::ok(state());
  }

  static sb::in_result error(std::string_view reason) {
    return sb::in_result::error(boost::json::object{{"reason", reason}});
  }

  /// The `by` field: 1 when absent, nullopt when it is not an integer.
  static std::optional<std::int64_t> step_of(const switchboard::protocol::payload& payload) {
    const auto* json = std::get_if<boost::json::value>(&payload);
    const auto* fields = json ? json->if_object() : nullptr;
    const auto* by = fields ? fields->if_contains("by") : nullptr;
    if (!by || by->is_null())
      return 1;
    if (const auto* i = by->if_int64())
      return *i;
    return std::nullopt;
  }

  std::int64_t value_ = 0;
};

} // namespace counter_example

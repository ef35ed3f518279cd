#pragma once
/// Stock behaviour `broadcast`: every join is accepted with reply {}; an event E with payload P
/// from a member is broadcast as [null, null, topic, E, P] to every member (excluding the sender
/// with `exclude_sender = true`), then the sender gets an ok reply {}.

#include "actors/channel.hpp"

namespace switchboard::actors::stock {

struct broadcast_options {
  bool exclude_sender = false; ///< broadcast_from semantics
};

class broadcast final : public channel<> {
public:
  explicit broadcast(broadcast_options options) : options_(options) {}

  join_result join(std::string_view, const protocol::payload&, member_type&) override {
    return join_result::accept();
  }
  in_result handle_in(std::string_view event, const protocol::payload& payload,
                      member_type& m) override {
    if (options_.exclude_sender)
      room().broadcast_from(m, event, payload);
    else
      room().broadcast(event, payload);
    return in_result::ok();
  }

private:
  broadcast_options options_;
};

} // namespace switchboard::actors::stock

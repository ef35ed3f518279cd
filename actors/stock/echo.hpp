#pragma once
/// Stock behaviour `echo`: every join is accepted; any event gets an ok reply whose response is
/// the payload (binary payloads get a binary reply).

#include "actors/channel.hpp"

namespace switchboard::actors::stock {

class echo final : public channel<> {
public:
  join_result join(std::string_view, const protocol::payload&, member_type&) override {
    return join_result::accept();
  }
  in_result handle_in(std::string_view, const protocol::payload& payload, member_type&) override {
    return in_result::ok(payload);
  }
};

} // namespace switchboard::actors::stock

#pragma once
/// A game room: players move on a square field, and the room broadcasts the world `tick_hz`
/// times per second while anyone is in it.
///
/// * join {"name": N (optional string)}: accepted with {"id": I, "x": X, "y": Y}; I identifies
///   the player in ticks. Players start in the middle of the field.
/// * `input` {"dx": number, "dy": number}: moves the player by (dx, dy), each clamped to
///   ±`max_step`, the position clamped to the field [0, `field_size`]; ok reply {"x", "y"}.
///   Anything but numbers is an error reply; unknown events get {"reason": "unknown event"}.
/// * every tick, every member gets `tick` {"tick": n, "players": [{"id", "name", "x", "y"}]}
///   (players in no particular order; n counts from 1 over the room's lifetime).
///
/// The tick timer starts with the first member (after_join) and is cancelled when the last one
/// leaves, so an empty room costs nothing. Per-player state is the member's `player` struct.

#include "actors/channel.hpp"

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <optional>
#include <string>

namespace game_example {

namespace sb = switchboard::actors;
using switchboard::protocol::payload;

/// The room's timer message: broadcast the world.
struct tick {};

struct game_options {
  unsigned tick_hz = 20;     ///< world broadcasts per second
  double field_size = 100.0; ///< the field is [0, field_size]²
  double max_step = 5.0;     ///< largest |dx| or |dy| of one input
};

/// Per member: the player's position and display name.
struct player {
  std::string name;
  double x = 0;
  double y = 0;
};

class game_loop final : public sb::channel<player, tick> {
public:
  explicit game_loop(game_options options) : options_(options) {}

  sb::join_result join(std::string_view, const payload& params, member_type& m) override {
    const auto* name = field(params, "name");
    m.state.name = name && name->is_string() && !name->get_string().empty()
                     ? std::string{name->get_string()}
                     : "player-" + std::to_string(m.id());
    m.state.x = m.state.y = options_.field_size / 2;
    return sb::join_result::accept(
      boost::json::object{{"id", m.id()}, {"x", m.state.x}, {"y", m.state.y}});
  }

  void after_join(member_type&) override {
    if (!ticking_)
      ticking_ = every(std::chrono::milliseconds{1000 / options_.tick_hz}, tick{});
  }

  sb::in_result handle_in(std::string_view event, const payload& p, member_type& m) override {
    if (event != "input")
      return error("unknown event");
    auto dx = number(p, "dx");
    auto dy = number(p, "dy");
    if (!dx || !dy)
      return error("dx and dy must be numbers");
    m.state.x = std::clamp(m.state.x + step(*dx), 0.0, options_.field_size);
    m.state.y = std::clamp(m.state.y + step(*dy), 0.0, options_.field_size);
    return sb::in_result::ok(boost::json::object{{"x", m.state.x}, {"y", m.state.y}});
  }

  sb::in_result handle_info(const tick&) override {
    broadcast_world();
    return sb::in_result::noreply();
  }

  void leave(member_type&, sb::leave_reason) override {
    // The leaving member still counts here: it is the last one when the count is 1.
    if (room().member_count() == 1 && ticking_) {
      room().cancel_timer(*ticking_);
      ticking_.reset();
    }
  }

private:
  void broadcast_world() {
    boost::json::array players;
    for_each_member([&](member_type& m) {
      const auto& p = m.state;
      players.push_back(
        boost::json::object{{"id", m.id()}, {"name", p.name}, {"x", p.x}, {"y", p.y}});
    });
    room().broadcast("tick",
                     boost::json::object{{"tick", ++ticks_}, {"players", std::move(players)}});
  }

  double step(double d) const { return std::clamp(d, -options_.max_step, options_.max_step); }

  static const boost::json::value* field(const payload& p, std::string_view name) {
    const auto* json = std::get_if<boost::json::value>(&p);
    const auto* fields = json ? json->if_object() : nullptr;
    return fields ? fields->if_contains(name) : nullptr;
  }

  static std::optional<double> number(const payload& p, std::string_view name) {
    const auto* v = field(p, name);
    if (!v || !v->is_number())
      return std::nullopt;
    auto d = v->to_number<double>();
    return std::isfinite(d) ? std::optional{d} : std::nullopt;
  }

  static sb::in_result error(std::string_view reason) {
    return sb::in_result::error(boost::json::object{{"reason", reason}});
  }

  game_options options_;
  std::optional<sb::timer_id> ticking_; ///< the tick timer while the room has members
  std::uint64_t ticks_ = 0;
};

} // namespace game_example

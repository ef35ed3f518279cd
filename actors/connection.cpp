#include "actors/connection.hpp"

#include "actors/frames.hpp"
#include "actors/metrics.hpp"
#include "protocol/codec.hpp"

#include <boost/json/object.hpp>
#include <caf/all.hpp>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <string>
#include <vector>

namespace switchboard::actors {

namespace {

using protocol::message;
namespace ev = protocol::events;

/// Phoenix's join timeout: the client gives up on a join after 10 s as well.
constexpr auto join_timeout = std::chrono::seconds(10);
/// A room admits a join only within this time of its arrival, well inside join_timeout: the
/// room's answer must reach the connection before the connection stops waiting, or the client
/// would be told "timeout" for a join that took effect.
constexpr auto join_admission_window = std::chrono::seconds(5);

struct channel_entry {
  std::string topic;
  boost::json::value join_ref;
  room_member_actor room;
};

struct connection_state {
  port_ptr port;
  std::shared_ptr<const socket_info> socket;
  std::shared_ptr<const connection_context> ctx;
  std::vector<channel_entry> channels; ///< few per connection: a vector beats a map in memory
  bool closing = false;                ///< closing for abuse: inbound messages are ignored
  static inline const char* name = "connection";

  channel_entry* find(std::string_view topic) {
    auto i = std::find_if(channels.begin(), channels.end(),
                          [&](const channel_entry& e) { return e.topic == topic; });
    return i == channels.end() ? nullptr : &*i;
  }
  void erase(std::string_view topic) {
    std::erase_if(channels, [&](const channel_entry& e) { return e.topic == topic; });
  }
  void reply(const boost::json::value& join_ref, const boost::json::value& ref,
             std::string_view topic, std::string_view status, const boost::json::value& response) {
    port->push(make_reply_frame(port->serializer(), join_ref, ref, topic, status, response));
  }
};

using connection_pointer = connection_actor::stateful_pointer<connection_state>;

// The 1.8.12 rule: a message belongs to the current incarnation if its join_ref is null or equal.
bool current_incarnation(const message& msg, const channel_entry& e) {
  return msg.join_ref.is_null() || msg.join_ref == e.join_ref;
}

void join(connection_pointer self, message&& msg) {
  auto& st = self->state;
  const boost::json::value empty = boost::json::object{};
  auto route = st.ctx->routes->match(msg.topic);
  if (!route) {
    spdlog::debug("ignoring unmatched topic \"{}\"", msg.topic);
    st.reply(nullptr, msg.ref, msg.topic, "error", reason_payload("unmatched topic"));
    return;
  }
  if (msg.join_ref.is_null()) // V1 clients have no join_ref: the join's ref stands in
    msg.join_ref = msg.ref;
  if (!st.find(msg.topic) && st.channels.size() >= st.ctx->limits.max_channels) {
    st.reply(msg.join_ref, msg.ref, msg.topic, "error", reason_payload("too many channels joined"));
    return;
  }
  auto shard = st.ctx->rooms->shard_for(msg.topic);
  if (!shard) { // its partition is restarting: the client retries the join
    st.reply(msg.join_ref, msg.ref, msg.topic, "error", reason_payload("join crashed"));
    return;
  }
  auto topic = msg.topic;
  auto join_ref = msg.join_ref;
  auto ref = msg.ref;
  join_request req{connection_actor{self},
                   st.port,
                   st.socket,
                   std::move(route),
                   std::move(msg),
                   std::chrono::steady_clock::now() + join_admission_window};
  // Like Phoenix's socket, the connection waits for the join result before handling anything
  // else, so the join reply precedes every later frame of the channel.
  self->request(shard, join_timeout, std::move(req))
    .await(
      [self, topic, join_ref, ref](join_answer& answer) {
        auto& st = self->state;
        auto* entry = st.find(topic);
        if (answer.outcome == join_outcome::expired)
          st.reply(join_ref, ref, topic, "error", reason_payload("timeout"));
        if (answer.outcome != join_outcome::admitted) {
          if (entry) { // a refused duplicate join still ended the old incarnation
            self->demonitor(entry->room.address());
            st.erase(topic);
          }
          return;
        }
        if (entry) {
          entry->join_ref = join_ref;
          return;
        }
        self->monitor(answer.room);
        st.channels.push_back(channel_entry{topic, join_ref, std::move(answer.room)});
      },
      [self, topic, join_ref, ref](caf::error& err) {
        auto& st = self->state;
        spdlog::warn("join of \"{}\" failed: {}", topic, self->system().render(err));
        const bool timed_out = err == caf::sec::request_timeout;
        st.reply(join_ref, ref, topic, "error",
                 reason_payload(timed_out ? "timeout" : "join crashed"));
        if (auto* entry = st.find(topic)) {
          self->demonitor(entry->room.address());
          st.erase(topic);
        }
      });
}

void leave(connection_pointer self, message&& msg) {
  auto& st = self->state;
  auto* entry = st.find(msg.topic);
  if (!entry) {
    st.reply(msg.join_ref, msg.ref, msg.topic, "ok", boost::json::object{});
    return;
  }
  if (!current_incarnation(msg, *entry))
    return; // the client raced a server close
  // The room writes the reply and the phx_close.
  self->send(entry->room, leave_request{std::move(msg)});
  self->demonitor(entry->room.address());
  st.erase(entry->topic);
}

void dispatch(connection_pointer self, message&& msg) {
  auto& st = self->state;
  if (msg.topic == ev::phoenix_topic && msg.event == ev::heartbeat) {
    st.reply(nullptr, msg.ref, msg.topic, "ok", boost::json::object{});
    return;
  }
  if (msg.event == ev::join)
    return join(self, std::move(msg));
  if (msg.event == ev::leave)
    return leave(self, std::move(msg));
  auto* entry = st.find(msg.topic);
  if (!entry) {
    st.reply(nullptr, msg.ref, msg.topic, "error", reason_payload("unmatched topic"));
    return;
  }
  if (ev::is_reserved(msg.event)) { // never relayed: other members would take it for the server's
    st.reply(msg.join_ref, msg.ref, msg.topic, "error", reason_payload("reserved event"));
    return;
  }
  if (current_incarnation(msg, *entry))
    self->send(entry->room, client_event{std::move(msg)});
}

void room_down(connection_pointer self, const caf::down_msg& down) {
  auto& st = self->state;
  const bool crashed = down.reason && down.reason != caf::exit_reason::normal;
  for (const auto& e : st.channels) {
    if (e.room.id() != down.source.id())
      continue;
    auto event = crashed ? ev::error : ev::close;
    auto payload = crashed ? reason_payload("channel_crash") : boost::json::object{};
    st.port->push(
      make_channel_control_frame(st.port->serializer(), e.join_ref, e.topic, event, payload));
  }
  std::erase_if(st.channels,
                [&](const channel_entry& e) { return e.room.id() == down.source.id(); });
}

// Closes once every room this connection published to has handled what it was sent: a room
// answers a sync only after the messages queued before it, so the replies to messages accepted
// before the close reach the client before the close frame.
void close_after_rooms(connection_pointer self, std::uint16_t code, std::string reason) {
  auto& st = self->state;
  st.closing = true;
  auto finish = [self, code, reason] {
    self->state.port->close(code, reason);
    self->quit();
  };
  if (st.channels.empty())
    return finish();
  auto pending = std::make_shared<std::size_t>(st.channels.size());
  for (const auto& e : st.channels)
    self->request(e.room, std::chrono::seconds(2), sync_request{})
      .then(
        [pending, finish](bool) {
          if (--*pending == 0)
            finish();
        },
        [pending, finish](caf::error&) {
          if (--*pending == 0)
            finish();
        });
}

connection_actor::behavior_type connection(connection_pointer self, port_ptr port,
                                           std::shared_ptr<const socket_info> socket,
                                           std::shared_ptr<const connection_context> ctx) {
  self->state.port = port;
  self->state.socket = std::move(socket);
  self->state.ctx = std::move(ctx);
  self->set_down_handler([self](caf::down_msg& down) { room_down(self, down); });
  // Whatever ends this actor closes its socket; a peer that already closed ignores it.
  self->attach_functor([port](const caf::error& reason) {
    if (!reason || reason == caf::exit_reason::normal)
      return;
    if (reason == caf::exit_reason::user_shutdown)
      port->close(close_code::going_away, "server shutting down");
    else
      port->close(close_code::internal_error, "internal error");
  });
  return {
    [self](const inbound_frame& in) {
      auto& st = self->state;
      st.port->inbound_consumed(in.bytes.size());
      if (st.closing)
        return;
      auto ser = st.port->serializer();
      auto decoded =
        in.binary ? protocol::decode_binary(ser, in.bytes) : protocol::decode_text(ser, in.bytes);
      if (!decoded.msg) {
        add(metrics::global().malformed_total);
        st.port->close(close_code::invalid_payload, decoded.error);
        self->quit();
        return;
      }
      if (in.rate_limited) {
        auto& msg = *decoded.msg;
        st.reply(msg.join_ref, msg.ref, msg.topic, "error", reason_payload("rate_limited"));
        return;
      }
      dispatch(self, std::move(*decoded.msg));
    },
    [self](rate_limit_exceeded) {
      if (!self->state.closing)
        close_after_rooms(self, close_code::policy, "rate limit exceeded");
    },
    [self](peer_closed) { self->quit(); },
    [self](const channel_closed& closed) {
      auto& st = self->state;
      auto* entry = st.find(closed.topic);
      if (entry && entry->join_ref == closed.join_ref) {
        self->demonitor(entry->room.address());
        st.erase(closed.topic);
      }
    },
  };
}

} // namespace

connection_actor spawn_connection(caf::actor_system& sys, port_ptr port,
                                  std::shared_ptr<const socket_info> socket,
                                  std::shared_ptr<const connection_context> ctx) {
  return sys.spawn(connection, std::move(port), std::move(socket), std::move(ctx));
}

supervision::start_fun connection_starter(std::shared_ptr<const connection_context> ctx) {
  return [ctx = std::move(ctx)](caf::actor_system& sys,
                                const caf::message& args) -> supervision::start_result {
    if (!args.match_elements<port_ptr, std::shared_ptr<const socket_info>>())
      return caf::make_error(caf::sec::unexpected_message);
    return caf::actor_cast<caf::actor>(spawn_connection(
      sys, args.get_as<port_ptr>(0), args.get_as<std::shared_ptr<const socket_info>>(1), ctx));
  };
}

} // namespace switchboard::actors

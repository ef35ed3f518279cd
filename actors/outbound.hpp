#pragma once
/// The write side of a client connection as actors see it. Frames are pre-framed WebSocket bytes,
/// immutable and shared: a broadcast is encoded and framed once per serializer and the same buffer
/// is handed to every member.

#include "protocol/message.hpp"

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

namespace switchboard::actors {

/// Drop policies may discard `broadcast` frames only; replies, pushes and control frames are
/// never dropped.
enum class frame_class : std::uint8_t { control, broadcast };

/// What a connection does when a frame would take its outbound queue over `max_outbound_bytes`;
/// chosen per route (docs/operations.md).
enum class overflow_policy : std::uint8_t {
  close,       ///< close with 1013 "slow consumer" so the client reconnects (default)
  drop_newest, ///< drop the broadcast frame being queued
  drop_oldest, ///< drop the oldest queued broadcast frames to make room
};

struct outbound_frame {
  std::string bytes; ///< one or more complete WebSocket frames
  frame_class cls = frame_class::control;
  overflow_policy on_overflow = overflow_policy::close;
};
using frame_ptr = std::shared_ptr<const outbound_frame>;

/// What happened to a pushed frame.
enum class push_result : std::uint8_t {
  queued,  ///< will be written in order
  dropped, ///< discarded by the connection's overflow policy (counted)
  closed,  ///< the connection is closing or closed; the frame is discarded
};

/// What a connection runs once its outbound queue has drained (outbound_port::notify_when_drained).
/// It runs on an I/O thread, or on the requester's thread when the queue was drained already:
/// it must only send a message (caf::anon_send is thread-safe) and must not throw.
using drained_callback = std::function<void()>;

/// Implemented by the WebSocket session (net/). Every member function is safe to call from any
/// thread and never blocks on the socket: pushing to a slow connection costs the same as pushing
/// to a fast one.
class outbound_port {
public:
  virtual ~outbound_port() = default;

  /// Queues a frame behind every frame pushed before it (per-connection order is push order).
  virtual push_result push(frame_ptr frame) = 0;

  /// Writes what is queued, then a close frame with `code` and `reason`, then closes the socket.
  /// Later pushes return `closed`. Idempotent: the first close decides the code.
  virtual void close(std::uint16_t code, std::string_view reason) = 0;

  /// The connection actor has processed one inbound message of `bytes` payload bytes. The
  /// session stops reading from a client that is more than a bounded number of messages or bytes
  /// ahead of its actor (TCP pushes back on a flooding client instead of a mailbox growing
  /// without bound) and resumes here.
  virtual void inbound_consumed(std::size_t bytes) noexcept = 0;

  /// Runs `on_drained` once when the bytes this connection holds are back to at most half of its
  /// max_outbound_bytes: at once when they are already. One callback per `requester` (a room's
  /// actor id) is kept, a later one replacing it, so a connection holds at most one per room it
  /// is in; they are dropped unrun when the connection closes. A port without a queue is always
  /// drained: this default runs `on_drained` at once.
  virtual void notify_when_drained(std::uint64_t /*requester*/, drained_callback on_drained) {
    on_drained();
  }
  /// Drops `requester`'s pending callback, if any (its member left the room).
  virtual void cancel_drained_notification(std::uint64_t /*requester*/) noexcept {}

  /// The serializer negotiated at the handshake; constant for the connection's life.
  [[nodiscard]] virtual protocol::serializer serializer() const noexcept = 0;
};
using port_ptr = std::shared_ptr<outbound_port>;

/// WebSocket close codes used by the server (docs/operations.md lists when each is sent).
namespace close_code {
inline constexpr std::uint16_t going_away = 1001;     ///< forced disconnect, shutdown, idle timeout
inline constexpr std::uint16_t protocol_error = 1002; ///< RFC 6455 framing violation
inline constexpr std::uint16_t invalid_payload = 1007; ///< undecodable frame
inline constexpr std::uint16_t policy = 1008;          ///< sustained rate-limit abuse
inline constexpr std::uint16_t too_big = 1009;         ///< frame over max_frame_bytes
inline constexpr std::uint16_t internal_error = 1011;  ///< connection actor crashed
inline constexpr std::uint16_t try_again_later = 1013; ///< slow consumer, server restarting
} // namespace close_code

} // namespace switchboard::actors

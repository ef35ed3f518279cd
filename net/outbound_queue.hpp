#pragma once
/// The outbound queue of one WebSocket connection and its policy, without I/O, locking or metrics:
/// which frames are queued, dropped or refused, what the next write carries, and when the close
/// frame has gone out. ws_session owns one behind its mutex and does the writing
/// (docs/operations.md, "Outbound queues and overflow policies").
///
/// The policy:
/// - Order: frames are written in push order, whatever their class. The pong of the latest ping
///   goes first in the next batch; once a close is queued, it goes just before the close frame,
///   which is the last frame of the connection.
/// - Broadcast frames are bounded by `max_bytes`, counted over every byte held: both classes, the
///   pending pong and the batch being written. A broadcast that would take a non-empty queue over
///   it meets its route's `on_overflow`: `close` → slow_consumer; `drop_newest` → dropped;
///   `drop_oldest` → the oldest queued broadcasts (never the batch being written, never other
///   classes) are discarded until it fits, and if it still does not fit it is dropped too.
/// - Frames for this connection alone (class `control`: replies, pushes) are bounded by
///   `max_control_bytes`, counted over the control bytes held (pongs and close frames included);
///   beyond it → slow_consumer. No policy drops them.
/// - One frame larger than its bound is still queued when nothing is counted against that bound.
/// - Pongs and the close frame are never refused by a bound; a pong that is not being written yet
///   is replaced by the next one (RFC 6455 §5.5.3), so a ping flood holds one pong.
/// - After queue_close(): pushes return `closed`, pongs and further closes are refused.
/// - Drained: bytes() is at most half of `max_bytes` (the batch being written counts until it
///   is). Half, not empty: a broadcaster told to resume refills the queue before it runs dry, and
///   one write does not flip the state back and forth at the bound.
///
/// Not thread-safe: one owner, or one mutex around every call.

#include "actors/outbound.hpp"

#include <cstddef>
#include <cstdint>
#include <vector>

namespace switchboard::net {

/// session_options::max_outbound_bytes and ::max_outbound_control_bytes. No defaults here: the
/// session fills both from its options, which hold the one copy (net/limits.hpp).
struct outbound_limits {
  std::size_t max_bytes;
  std::size_t max_control_bytes;
};

/// What push() did with a frame.
enum class push_verdict : std::uint8_t {
  queued,        ///< will be written in order
  dropped,       ///< a broadcast discarded by its drop policy (counted in dropped())
  slow_consumer, ///< over a bound that allows no drop: the caller closes with 1013
  closed,        ///< a close is queued or the queue was discarded; the frame is discarded
};

struct push_outcome {
  push_verdict verdict = push_verdict::queued;
  std::size_t dropped_oldest = 0; ///< older broadcasts discarded to make room (drop_oldest)
};

/// What follows a written batch.
struct batch_outcome {
  bool more = false;       ///< frames are waiting: take the next batch (the writer stays claimed)
  bool close_sent = false; ///< the batch carried the close frame: nothing follows it
};

class outbound_queue {
public:
  explicit outbound_queue(outbound_limits limits) noexcept : limits_(limits) {}

  /// Applies the policy above to `frame`.
  [[nodiscard]] push_outcome push(actors::frame_ptr frame);
  /// Holds `pong` (a control frame) for the next batch, replacing a pong not yet taken. False
  /// once a close is queued (nothing may follow the close frame) or the queue was discarded.
  bool queue_pong(actors::frame_ptr pong);
  /// Queues `close_frame` behind everything queued and the pending pong; false when a close is
  /// already queued or the queue was discarded (the first close decides the code).
  bool queue_close(actors::frame_ptr close_frame);
  /// The connection ended: drops everything held. Every later push is refused and no batch is
  /// taken; the counters (peak, dropped) keep their values.
  void discard() noexcept;

  /// Claims the writer role; false when a writer already holds it (one batch at a time). The
  /// claimant calls take_batch(); the role ends when take_batch() or batch_written() says that
  /// nothing is left.
  [[nodiscard]] bool claim_writer() noexcept;
  /// Moves the next batch into `batch` (cleared first): the pending pong, then every queued frame
  /// in push order. The batch's bytes stay counted until batch_written(). False when there is
  /// nothing to write: the writer role is released.
  [[nodiscard]] bool take_batch(std::vector<actors::frame_ptr>& batch);
  /// The batch of the last take_batch() has been written entirely. Releases the writer role
  /// unless `more`.
  [[nodiscard]] batch_outcome batch_written() noexcept;

  /// No close queued and not discarded: push() can still queue.
  [[nodiscard]] bool open() const noexcept { return !closing_ && !discarded_; }
  [[nodiscard]] bool closing() const noexcept { return closing_; }
  [[nodiscard]] bool discarded() const noexcept { return discarded_; }
  /// Bytes held: queued, the pending pong and the batch being written, every class.
  [[nodiscard]] std::size_t bytes() const noexcept { return bytes_; }
  /// bytes() is at most half of max_bytes: a broadcaster held back by the bound may resume.
  [[nodiscard]] bool drained() const noexcept { return bytes_ <= limits_.max_bytes / 2; }
  /// The part of bytes() that is not broadcast frames.
  [[nodiscard]] std::size_t control_bytes() const noexcept { return control_bytes_; }
  /// The largest bytes() a push has reached: what this connection made the server hold.
  [[nodiscard]] std::size_t peak_bytes() const noexcept { return peak_bytes_; }
  /// Broadcast frames discarded by drop policies (newest and oldest).
  [[nodiscard]] std::uint64_t dropped() const noexcept { return dropped_; }

private:
  /// A broadcast over max_bytes meets its on_overflow; `queued` means it now fits.
  push_outcome overflow(const actors::outbound_frame& frame);
  void enqueue(actors::frame_ptr frame);

  outbound_limits limits_;
  std::vector<actors::frame_ptr> queue_; ///< push order; the close frame, when queued, is last
  actors::frame_ptr pending_pong_;       ///< the answer to the latest ping, not yet taken
  std::size_t bytes_ = 0;
  std::size_t control_bytes_ = 0;
  std::size_t batch_bytes_ = 0;         ///< bytes of the batch being written
  std::size_t batch_control_bytes_ = 0; ///< their part that is not broadcast frames
  std::size_t peak_bytes_ = 0;
  std::uint64_t dropped_ = 0;
  bool writer_claimed_ = false;
  bool batch_has_close_ = false;
  bool closing_ = false;
  bool discarded_ = false;
};

} // namespace switchboard::net

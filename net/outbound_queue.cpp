#include "net/outbound_queue.hpp"

#include <algorithm>

namespace switchboard::net {

using actors::frame_class;
using actors::overflow_policy;

push_outcome outbound_queue::push(actors::frame_ptr frame) {
  if (!open())
    return {push_verdict::closed};
  const auto size = frame->bytes.size();
  push_outcome outcome;
  if (frame->cls == frame_class::broadcast) {
    if (bytes_ > 0 && bytes_ + size > limits_.max_bytes)
      outcome = overflow(*frame);
  } else if (control_bytes_ > 0 && control_bytes_ + size > limits_.max_control_bytes) {
    outcome.verdict = push_verdict::slow_consumer;
  }
  if (outcome.verdict != push_verdict::queued)
    return outcome;
  enqueue(std::move(frame));
  peak_bytes_ = std::max(peak_bytes_, bytes_);
  return outcome;
}

push_outcome outbound_queue::overflow(const actors::outbound_frame& frame) {
  switch (frame.on_overflow) {
    case overflow_policy::close: return {push_verdict::slow_consumer};
    case overflow_policy::drop_newest: break;
    case overflow_policy::drop_oldest: {
      std::size_t freed = 0, discarded = 0;
      auto fits = [&] { return bytes_ - freed + frame.bytes.size() <= limits_.max_bytes; };
      // Only queued broadcasts: the batch being written is out of reach, other classes are never
      // dropped.
      std::erase_if(queue_, [&](const actors::frame_ptr& f) {
        if (fits() || f->cls != frame_class::broadcast)
          return false;
        freed += f->bytes.size();
        ++discarded;
        return true;
      });
      const bool fitted = fits();
      bytes_ -= freed;
      dropped_ += discarded;
      if (fitted)
        return {push_verdict::queued, discarded};
      ++dropped_;
      return {push_verdict::dropped, discarded};
    }
  }
  ++dropped_;
  return {push_verdict::dropped};
}

void outbound_queue::enqueue(actors::frame_ptr frame) {
  bytes_ += frame->bytes.size();
  if (frame->cls != frame_class::broadcast)
    control_bytes_ += frame->bytes.size();
  queue_.push_back(std::move(frame));
}

bool outbound_queue::queue_pong(actors::frame_ptr pong) {
  if (!open())
    return false;
  if (pending_pong_) {
    bytes_ -= pending_pong_->bytes.size();
    control_bytes_ -= pending_pong_->bytes.size();
  }
  bytes_ += pong->bytes.size();
  control_bytes_ += pong->bytes.size();
  pending_pong_ = std::move(pong);
  return true;
}

bool outbound_queue::queue_close(actors::frame_ptr close_frame) {
  if (!open())
    return false;
  closing_ = true;
  if (pending_pong_) // answered before the close: nothing may follow a close frame
    queue_.push_back(std::move(pending_pong_));
  enqueue(std::move(close_frame));
  return true;
}

void outbound_queue::discard() noexcept {
  discarded_ = true;
  queue_.clear();
  pending_pong_.reset();
  bytes_ = 0;
  control_bytes_ = 0;
  batch_bytes_ = 0;
  batch_control_bytes_ = 0;
}

bool outbound_queue::claim_writer() noexcept {
  if (writer_claimed_)
    return false;
  writer_claimed_ = true;
  return true;
}

bool outbound_queue::take_batch(std::vector<actors::frame_ptr>& batch) {
  batch.clear();
  if (discarded_ || (queue_.empty() && !pending_pong_)) {
    writer_claimed_ = false;
    return false;
  }
  batch.swap(queue_); // the buffers trade places, so a steady flow allocates nothing
  if (pending_pong_)
    batch.insert(batch.begin(), std::move(pending_pong_));
  // Everything held is in this batch.
  batch_bytes_ = bytes_;
  batch_control_bytes_ = control_bytes_;
  // Once closing, nothing is queued behind the close frame, so a non-empty batch carries it.
  batch_has_close_ = closing_;
  return true;
}

batch_outcome outbound_queue::batch_written() noexcept {
  if (discarded_) {
    writer_claimed_ = false;
    return {};
  }
  bytes_ -= batch_bytes_;
  control_bytes_ -= batch_control_bytes_;
  batch_bytes_ = 0;
  batch_control_bytes_ = 0;
  const batch_outcome outcome{!queue_.empty() || pending_pong_ != nullptr, batch_has_close_};
  batch_has_close_ = false;
  if (!outcome.more)
    writer_claimed_ = false;
  return outcome;
}

} // namespace switchboard::net

#include "supervision/clock.hpp"

#include <algorithm>

#include <caf/actor_cast.hpp>
#include <caf/actor_clock.hpp>
#include <caf/actor_system.hpp>
#include <caf/mailbox_element.hpp>
#include <caf/message_id.hpp>

namespace switchboard::supervision {

namespace {

caf::mailbox_element_ptr anonymous(caf::message msg) {
  return caf::make_mailbox_element(nullptr, caf::make_message_id(), {}, std::move(msg));
}

class steady final : public clock {
public:
  time_point now() override { return std::chrono::steady_clock::now(); }

  void send_after(std::chrono::milliseconds delay, const caf::actor& receiver,
                  caf::message msg) override {
    if (!receiver)
      return;
    auto& timer = receiver->home_system().clock();
    timer.schedule_message(timer.now() + delay, caf::actor_cast<caf::strong_actor_ptr>(receiver),
                           anonymous(std::move(msg)));
  }
};

} // namespace

std::shared_ptr<clock> steady_clock() {
  static const auto instance = std::make_shared<steady>();
  return instance;
}

clock::time_point manual_clock::now() {
  std::lock_guard<std::mutex> guard{mtx_};
  return now_;
}

void manual_clock::send_after(std::chrono::milliseconds delay, const caf::actor& receiver,
                              caf::message msg) {
  std::lock_guard<std::mutex> guard{mtx_};
  timers_.push_back({now_ + delay, receiver, std::move(msg)});
}

void manual_clock::advance(std::chrono::milliseconds d) {
  std::vector<timer> due;
  {
    std::lock_guard<std::mutex> guard{mtx_};
    now_ += d;
    auto first_later = std::stable_partition(timers_.begin(), timers_.end(),
                                             [&](const timer& t) { return t.due <= now_; });
    due.assign(std::make_move_iterator(timers_.begin()), std::make_move_iterator(first_later));
    timers_.erase(timers_.begin(), first_later);
  }
  std::stable_sort(due.begin(), due.end(),
                   [](const timer& a, const timer& b) { return a.due < b.due; });
  for (auto& t : due)
    if (t.receiver)
      t.receiver->enqueue(anonymous(std::move(t.msg)), nullptr);
}

std::size_t manual_clock::pending() const {
  std::lock_guard<std::mutex> guard{mtx_};
  return timers_.size();
}

} // namespace switchboard::supervision

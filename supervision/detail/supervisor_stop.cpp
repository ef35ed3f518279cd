// Stopping children: OTP's shutdown/2 and terminate_children/2 without blocking. While a
// stop (or a start waiting for an init ack) is in flight the supervisor is "busy": calls and
// child exits wait in `deferred_` and run in arrival order afterwards, which is what OTP's
// blocking receive amounts to.
#include "supervision/detail/supervisor_impl.hpp"

#include <algorithm>

#include <caf/actor_cast.hpp>
#include <caf/exit_reason.hpp>
#include <caf/system_messages.hpp>

#include "supervision/detail/atoms.hpp"
#include "supervision/detail/start.hpp"
#include "supervision/exit_reasons.hpp"

namespace switchboard::supervision::detail {

void supervisor_impl::run_or_defer(caf::response_promise rp, std::function<void()> f) {
  if (busy() || !deferred_.empty()) {
    deferred_.push_back({std::move(rp), std::move(f)});
    return;
  }
  f();
}

void supervisor_impl::drain() {
  while (!busy() && !terminating_ && !deferred_.empty()) {
    auto next = std::move(deferred_.front());
    deferred_.pop_front();
    next.run();
  }
}

supervisor_impl::stop_item supervisor_impl::take_static(std::size_t idx) {
  auto& child = children_[idx];
  stop_item item{child.handle, make_offender(child.spec, child.handle)};
  child.handle = nullptr;
  child.restarting = false;
  return item;
}

// Takes the running children in [first, end) in reverse start order and drops the specs of
// temporary ones (OTP terminate_children/2).
std::vector<supervisor_impl::stop_item> supervisor_impl::take_statics_after(std::size_t first) {
  std::vector<stop_item> items;
  for (auto idx = children_.size(); idx > first; --idx)
    if (children_[idx - 1].handle)
      items.push_back(take_static(idx - 1));
  auto tail = children_.begin() + static_cast<std::ptrdiff_t>(std::min(first, children_.size()));
  children_.erase(
    std::remove_if(tail, children_.end(),
                   [](const static_child& c) { return c.spec.restart == restart_type::temporary; }),
    children_.end());
  return items;
}

void supervisor_impl::stop_children(std::vector<stop_item> items, bool parallel,
                                    std::function<void()> then) {
  after_stop_ = std::move(then);
  for (auto& item : items) {
    if (parallel)
      initiate_stop(std::move(item));
    else
      stop_queue_.push_back(std::move(item));
  }
  advance_stop();
}

void supervisor_impl::advance_stop() {
  while (stopping_.empty() && !stop_queue_.empty()) {
    auto item = std::move(stop_queue_.front());
    stop_queue_.pop_front();
    initiate_stop(std::move(item));
  }
  if (stopping_.empty() && stop_queue_.empty())
    finish_stop();
}

void supervisor_impl::initiate_stop(stop_item item) {
  if (!item.handle)
    return;
  const auto& how = item.who.shutdown;
  switch (how.how) {
    case shutdown_spec::kind::brutal_kill: send_exit(item.handle, caf::exit_reason::kill); break;
    case shutdown_spec::kind::timeout:
      send_exit(item.handle, shutdown_reason());
      clock_->send_after(how.timeout, caf::actor_cast<caf::actor>(this),
                         caf::make_message(stop_timeout_atom::value, item.handle.id()));
      break;
    case shutdown_spec::kind::infinity: send_exit(item.handle, shutdown_reason()); break;
  }
  auto id = item.handle.id();
  stopping_.emplace(id, std::move(item));
}

bool supervisor_impl::on_stop_down(const caf::down_msg& msg) {
  stop_item item;
  if (auto i = stopping_.find(msg.source.id()); i != stopping_.end()) {
    item = std::move(i->second);
    stopping_.erase(i);
  } else {
    // A child still queued for a sequential stop may die on its own first; it counts as
    // stopped (OTP finds its 'EXIT' when it monitors it).
    auto j = std::find_if(stop_queue_.begin(), stop_queue_.end(),
                          [&](const stop_item& x) { return x.handle.address() == msg.source; });
    if (j == stop_queue_.end())
      return false;
    item = std::move(*j);
    stop_queue_.erase(j);
  }
  const auto& reason = msg.reason;
  const bool brutal = item.who.shutdown.how == shutdown_spec::kind::brutal_kill;
  const bool expected = brutal ? reason == caf::exit_reason::kill : is_shutdown(reason);
  const bool normal_ok = is_normal(reason) && item.who.restart != restart_type::permanent;
  if (!expected && !normal_ok)
    emit(report_context::shutdown_error, reason, std::move(item.who));
  advance_stop();
  return true;
}

void supervisor_impl::on_stop_timeout(caf::actor_id id) {
  auto i = stopping_.find(id);
  if (i == stopping_.end() || i->second.timed_out)
    return;
  i->second.timed_out = true;
  send_exit(i->second.handle, caf::exit_reason::kill);
}

void supervisor_impl::finish_stop() {
  if (!after_stop_)
    return;
  // Clear first: the continuation may start the next stop.
  auto then = std::move(after_stop_);
  after_stop_ = nullptr;
  then();
  drain();
}

void supervisor_impl::shutdown(caf::error reason) {
  if (terminating_)
    return;
  terminating_ = true;
  std::vector<stop_item> items;
  if (dynamic()) {
    items.reserve(dynamic_.size());
    for (auto& [id, child] : dynamic_)
      items.push_back({child.handle, make_offender(dynamic_spec_, child.handle)});
    dynamic_.clear();
    dynamic_restarting_.clear();
  } else {
    items = take_statics_after(0);
  }
  stop_children(std::move(items), dynamic(), [this, reason] {
    for (auto& rp : stop_waiters_)
      rp.deliver(ok_atom::value);
    for (auto& rp : init_waiters_) // only when its own start failed
      rp.deliver(init_error_);
    stop_waiters_.clear();
    init_waiters_.clear();
    quit(reason);
  });
}

} // namespace switchboard::supervision::detail

// The calls of supervisor_actor (OTP start_child, terminate_child, restart_child,
// delete_child, which_children, count_children). Each runs only while the supervisor is
// idle and answers through its response promise, possibly after stopping a child.
#include "supervision/detail/supervisor_impl.hpp"

#include <caf/abstract_actor.hpp>
#include <caf/actor_cast.hpp>
#include <caf/actor_system.hpp>
#include <caf/local_actor.hpp>

#include "supervision/detail/start.hpp"
#include "supervision/errors.hpp"
#include "supervision/validate.hpp"

namespace switchboard::supervision::detail {

void supervisor_impl::call_start_child(child_spec spec, caf::response_promise rp) {
  if (dynamic()) {
    rp.deliver(make_error(sup_error::simple_one_for_one));
    return;
  }
  if (auto err = validate_child_spec(spec, flags_.auto_shutdown)) {
    rp.deliver(std::move(err));
    return;
  }
  if (auto idx = find_static(spec.id); idx < children_.size()) {
    const auto& old = children_[idx];
    auto code =
      old.handle || old.restarting ? sup_error::already_started : sup_error::already_present;
    rp.deliver(make_error(code, spec.id));
    return;
  }
  auto id = spec.id;
  children_.push_back({std::move(spec), nullptr, false});
  start_statics(
    children_.size() - 1, true, [this, id, rp](std::optional<start_failure> failure) mutable {
      auto idx = find_static(id); // an ignored temporary child is gone already, as in OTP
      if (failure) {
        children_.erase(children_.begin() + static_cast<std::ptrdiff_t>(idx));
        rp.deliver(std::move(failure->reason));
        return;
      }
      rp.deliver(idx < children_.size() ? children_[idx].handle : caf::actor{});
    });
}

void supervisor_impl::call_start_dynamic(caf::message args, caf::response_promise rp) {
  if (!dynamic()) {
    rp.deliver(make_error(sup_error::not_simple_one_for_one));
    return;
  }
  start_dynamic(std::move(args), [rp](caf::expected<caf::actor> started) mutable {
    if (!started)
      rp.deliver(std::move(started.error()));
    else
      rp.deliver(std::move(*started));
  });
}

void supervisor_impl::call_terminate(const std::string& id, caf::response_promise rp) {
  if (dynamic()) {
    rp.deliver(make_error(sup_error::simple_one_for_one));
    return;
  }
  auto idx = find_static(id);
  if (idx == children_.size()) {
    rp.deliver(make_error(sup_error::not_found, id));
    return;
  }
  terminate_static(idx, std::move(rp));
}

void supervisor_impl::call_terminate(const caf::actor& child, caf::response_promise rp) {
  if (!child) {
    rp.deliver(make_error(sup_error::not_found));
    return;
  }
  if (!dynamic()) {
    auto idx = find_static(child.address());
    if (idx == children_.size())
      rp.deliver(make_error(sup_error::not_found));
    else
      terminate_static(idx, std::move(rp));
    return;
  }
  auto i = dynamic_.find(child.id());
  if (i == dynamic_.end()) {
    rp.deliver(make_error(sup_error::not_found));
    return;
  }
  std::vector<stop_item> items{{i->second.handle, make_offender(dynamic_spec_, i->second.handle)}};
  dynamic_.erase(i);
  stop_children(std::move(items), false, [rp]() mutable { rp.deliver(ok_atom::value); });
}

void supervisor_impl::terminate_static(std::size_t idx, caf::response_promise rp) {
  std::vector<stop_item> items;
  if (children_[idx].handle)
    items.push_back(take_static(idx));
  children_[idx].restarting = false; // a pending retry finds nothing to do
  if (children_[idx].spec.restart == restart_type::temporary)
    children_.erase(children_.begin() + static_cast<std::ptrdiff_t>(idx));
  stop_children(std::move(items), false, [rp]() mutable { rp.deliver(ok_atom::value); });
}

void supervisor_impl::call_restart(const std::string& id, caf::response_promise rp) {
  if (dynamic()) {
    rp.deliver(make_error(sup_error::simple_one_for_one));
    return;
  }
  auto idx = find_static(id);
  if (idx == children_.size()) {
    rp.deliver(make_error(sup_error::not_found, id));
  } else if (children_[idx].handle) {
    rp.deliver(make_error(sup_error::running, id));
  } else if (children_[idx].restarting) {
    rp.deliver(make_error(sup_error::restarting, id));
  } else {
    start_statics(idx, true, [this, id, rp](std::optional<start_failure> failure) mutable {
      if (failure)
        rp.deliver(std::move(failure->reason));
      else if (auto i = find_static(id); i < children_.size())
        rp.deliver(children_[i].handle);
      else
        rp.deliver(caf::actor{}); // an ignored temporary child
    });
  }
}

void supervisor_impl::call_delete(const std::string& id, caf::response_promise rp) {
  if (dynamic()) {
    rp.deliver(make_error(sup_error::simple_one_for_one));
    return;
  }
  auto idx = find_static(id);
  if (idx == children_.size()) {
    rp.deliver(make_error(sup_error::not_found, id));
  } else if (children_[idx].handle) {
    rp.deliver(make_error(sup_error::running, id));
  } else if (children_[idx].restarting) {
    rp.deliver(make_error(sup_error::restarting, id));
  } else {
    children_.erase(children_.begin() + static_cast<std::ptrdiff_t>(idx));
    rp.deliver(ok_atom::value);
  }
}

void supervisor_impl::call_get_childspec(const std::string& id, caf::response_promise rp) {
  if (dynamic() && id == dynamic_spec_.id) {
    rp.deliver(dynamic_spec_);
    return;
  }
  auto idx = dynamic() ? children_.size() : find_static(id);
  if (idx == children_.size())
    rp.deliver(make_error(sup_error::not_found, id));
  else
    rp.deliver(children_[idx].spec);
}

void supervisor_impl::call_init_ack(const caf::actor_addr& asker, caf::response_promise rp) {
  // A nested supervisor's parent is the supervisor that waits for its start.
  if (!top_level_ && !parent_)
    parent_ = asker;
  if (!initialized_)
    init_waiters_.push_back(std::move(rp));
  else if (init_error_)
    rp.deliver(init_error_);
  else
    rp.deliver(ok_atom::value);
}

namespace {

// The name a local actor gives itself (a stateful actor's State::name, a supervisor's
// options.name); constant after construction, so reading it from here is safe.
std::string actor_name(const caf::actor& x) {
  if (!x)
    return {};
  const auto* local =
    dynamic_cast<const caf::local_actor*>(caf::actor_cast<caf::abstract_actor*>(x));
  return local ? local->name() : std::string{};
}

} // namespace

std::vector<child_info> supervisor_impl::which_children() const {
  std::vector<child_info> out;
  if (dynamic()) {
    out.reserve(dynamic_.size() + dynamic_restarting_.size());
    for (const auto& [id, child] : dynamic_)
      out.push_back(
        {dynamic_spec_.id, child.handle, false, dynamic_spec_.type, actor_name(child.handle)});
    for (std::size_t i = 0; i < dynamic_restarting_.size(); ++i)
      out.push_back({dynamic_spec_.id, nullptr, true, dynamic_spec_.type, {}});
    return out;
  }
  out.reserve(children_.size());
  for (const auto& child : children_)
    out.push_back(
      {child.spec.id, child.handle, child.restarting, child.spec.type, actor_name(child.handle)});
  return out;
}

child_counts supervisor_impl::count_children() const {
  child_counts out;
  if (dynamic()) {
    out.specs = dynamic_.size() + dynamic_restarting_.size();
    out.active = dynamic_.size();
    (dynamic_spec_.type == child_type::supervisor ? out.supervisors : out.workers) = out.specs;
    return out;
  }
  out.specs = children_.size();
  for (const auto& child : children_) {
    if (child.handle)
      ++out.active;
    ++(child.spec.type == child_type::supervisor ? out.supervisors : out.workers);
  }
  return out;
}

} // namespace switchboard::supervision::detail

// The calls of supervisor_actor (OTP start_child, terminate_child, restart_child,
// delete_child, which_children, count_children). Each runs only while the supervisor is
// idle and answers through its response promise, possibly after stopping a child.
#include "supervision/detail/supervisor_impl.hpp"

#include <caf/actor_system.hpp>

#include "supervision/detail/start.hpp"
#include "supervision/errors.hpp"
#include "supervision/validate.hpp"

namespace switchboard::supervision::detail {

void supervisor_impl::call_start_child(child_spec spec, caf::response_promise rp) {
  if (dynamic()) {
    rp.deliver(make_error(sup_error::simple_one_for_one));
    return;
  }
  if (auto err = validate_child_spec(spec)) {
    rp.deliver(std::move(err));
    return;
  }
  if (auto idx = find_static(spec.id); idx < children_.size()) {
    const auto& old = children_[idx];
    auto code = old.handle || old.restarting ? sup_error::already_started
                                             : sup_error::already_present;
    rp.deliver(make_error(code, spec.id));
    return;
  }
  children_.push_back({std::move(spec), nullptr, false});
  auto idx = children_.size() - 1;
  if (auto err = start_static(idx, false)) {
    children_.pop_back();
    rp.deliver(std::move(err));
    return;
  }
  auto child = children_[idx].handle;
  if (!child && children_[idx].spec.restart == restart_type::temporary)
    children_.pop_back(); // an ignored temporary child leaves no trace, as in OTP
  rp.deliver(std::move(child));
}

void supervisor_impl::call_start_dynamic(caf::message args, caf::response_promise rp) {
  if (!dynamic()) {
    rp.deliver(make_error(sup_error::not_simple_one_for_one));
    return;
  }
  auto started = start_dynamic(args);
  if (!started)
    rp.deliver(std::move(started.error()));
  else
    rp.deliver(std::move(*started));
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
  } else if (auto err = start_static(idx, false)) {
    rp.deliver(std::move(err));
  } else {
    rp.deliver(children_[idx].handle);
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

std::vector<child_info> supervisor_impl::which_children() const {
  std::vector<child_info> out;
  if (dynamic()) {
    out.reserve(dynamic_.size() + dynamic_restarting_.size());
    for (const auto& [id, child] : dynamic_)
      out.push_back({dynamic_spec_.id, child.handle, false, dynamic_spec_.type});
    for (std::size_t i = 0; i < dynamic_restarting_.size(); ++i)
      out.push_back({dynamic_spec_.id, nullptr, true, dynamic_spec_.type});
    return out;
  }
  out.reserve(children_.size());
  for (const auto& child : children_)
    out.push_back({child.spec.id, child.handle, child.restarting, child.spec.type});
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

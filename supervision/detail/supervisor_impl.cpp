#include "supervision/detail/supervisor_impl.hpp"

#include <caf/actor_system.hpp>
#include <caf/exit_reason.hpp>
#include <caf/send.hpp>
#include <caf/system_messages.hpp>

#include "supervision/detail/atoms.hpp"
#include "supervision/detail/start.hpp"
#include "supervision/exit_reasons.hpp"

namespace switchboard::supervision::detail {

supervisor_impl::supervisor_impl(caf::actor_config& cfg, supervisor_init init)
  : caf::event_based_actor(cfg),
    flags_(init.flags),
    options_(std::move(init.options)),
    intensity_(flags_.intensity, flags_.period),
    abort_reason_(std::move(init.abort_reason)),
    children_(std::move(init.children)),
    dynamic_spec_(std::move(init.dynamic_spec)) {}

const char* supervisor_impl::name() const {
  return options_.name.c_str();
}

caf::behavior supervisor_impl::make_behavior() {
  set_default_handler(caf::drop);
  set_error_handler([](caf::error&) {});
  set_exit_handler([this](caf::exit_msg& msg) {
    if (is_normal(msg.reason))
      return;
    run_or_defer({}, [this, reason = msg.reason] { shutdown(reason); });
  });
  set_down_handler([this](caf::down_msg& msg) {
    if (on_stop_down(msg))
      return;
    run_or_defer({}, [this, msg] { on_child_down(msg); });
  });
  for (auto& child : children_)
    if (child.handle)
      monitor(child.handle);
  if (abort_reason_)
    shutdown(abort_reason_);
  auto call = [this](auto fn) {
    auto rp = make_response_promise();
    run_or_defer(rp, [fn = std::move(fn), rp]() mutable { fn(rp); });
    return rp;
  };
  return {
    [this, call](start_child_atom, child_spec& spec) {
      return call([this, spec](caf::response_promise& rp) { call_start_child(spec, rp); });
    },
    [this, call](start_child_atom, start_args& args) {
      return call([this, args](caf::response_promise& rp) { call_start_dynamic(args.args, rp); });
    },
    [this, call](terminate_child_atom, std::string& id) {
      return call([this, id](caf::response_promise& rp) { call_terminate(id, rp); });
    },
    [this, call](terminate_child_atom, caf::actor& child) {
      return call([this, child](caf::response_promise& rp) { call_terminate(child, rp); });
    },
    [this, call](restart_child_atom, std::string& id) {
      return call([this, id](caf::response_promise& rp) { call_restart(id, rp); });
    },
    [this, call](delete_child_atom, std::string& id) {
      return call([this, id](caf::response_promise& rp) { call_delete(id, rp); });
    },
    [this, call](which_children_atom) {
      return call([this](caf::response_promise& rp) { rp.deliver(which_children()); });
    },
    [this, call](count_children_atom) {
      return call([this](caf::response_promise& rp) { rp.deliver(count_children()); });
    },
    [this](stop_timeout_atom, caf::actor_id id) { on_stop_timeout(id); },
    [this](try_again_atom, std::string& id) {
      run_or_defer({}, [this, id] { on_try_again_static(id); });
    },
    [this](try_again_atom, uint64_t key) {
      run_or_defer({}, [this, key] { on_try_again_dynamic(key); });
    },
  };
}

void supervisor_impl::on_exit() {
  // Reached with children left only when killed or failing internally: no orderly stop is
  // possible any more, so take the children down at once, as a link would.
  for (auto& child : children_)
    if (child.handle)
      caf::anon_send_exit(child.handle, caf::exit_reason::kill);
  for (auto& [id, child] : dynamic_)
    caf::anon_send_exit(child.handle, caf::exit_reason::kill);
  for (auto& [id, item] : stopping_)
    caf::anon_send_exit(item.handle, caf::exit_reason::kill);
  for (auto& item : stop_queue_)
    if (item.handle)
      caf::anon_send_exit(item.handle, caf::exit_reason::kill);
  for (auto& call : deferred_)
    if (call.rp.pending())
      call.rp.deliver(caf::make_error(caf::sec::request_receiver_down));
  // Specs may capture handles (even of this supervisor): drop them to break cycles.
  children_.clear();
  dynamic_.clear();
  dynamic_spec_ = {};
  stopping_.clear();
  stop_queue_.clear();
  deferred_.clear();
  after_stop_ = nullptr;
  options_.on_report = nullptr;
  options_.clock = nullptr;
}

void supervisor_impl::emit(report_context ctx, caf::error reason, offender_info who) {
  emit_report(options_.on_report, report{options_.name, ctx, std::move(reason), std::move(who)});
}

std::size_t supervisor_impl::find_static(const std::string& id) const {
  for (std::size_t i = 0; i < children_.size(); ++i)
    if (children_[i].spec.id == id)
      return i;
  return children_.size();
}

std::size_t supervisor_impl::find_static(const caf::actor_addr& addr) const {
  for (std::size_t i = 0; i < children_.size(); ++i)
    if (children_[i].handle && children_[i].handle.address() == addr)
      return i;
  return children_.size();
}

void supervisor_impl::on_child_down(const caf::down_msg& msg) {
  if (terminating_)
    return;
  if (dynamic()) {
    on_dynamic_down(msg.source.id(), msg.reason);
    return;
  }
  if (auto idx = find_static(msg.source); idx < children_.size())
    on_static_down(idx, msg.reason);
  // Otherwise a stale notification about a child already stopped or replaced.
}

// OTP do_restart/3: permanent always restarts; normal and shutdown exits delete the child;
// transient restarts after other exits; temporary is deleted after any exit.
void supervisor_impl::on_static_down(std::size_t idx, const caf::error& reason) {
  auto& child = children_[idx];
  auto who = make_offender(child.spec, child.handle);
  child.handle = nullptr;
  const auto restart = child.spec.restart;
  const bool significant = child.spec.significant;
  if (restart == restart_type::permanent || (restart == restart_type::transient && is_abnormal(reason))) {
    emit(report_context::child_terminated, reason, std::move(who));
    restart_static(idx);
    return;
  }
  if (restart == restart_type::temporary && is_abnormal(reason))
    emit(report_context::child_terminated, reason, std::move(who));
  if (restart == restart_type::temporary)
    children_.erase(children_.begin() + static_cast<std::ptrdiff_t>(idx));
  check_auto_shutdown(significant);
}

void supervisor_impl::on_dynamic_down(caf::actor_id id, const caf::error& reason) {
  auto i = dynamic_.find(id);
  if (i == dynamic_.end())
    return;
  auto who = make_offender(dynamic_spec_, i->second.handle);
  auto args = std::move(i->second.args);
  dynamic_.erase(i);
  if (should_restart(dynamic_spec_.restart, reason)) {
    emit(report_context::child_terminated, reason, std::move(who));
    if (intensity_allows(who))
      restart_dynamic(std::move(args));
    return;
  }
  if (is_abnormal(reason))
    emit(report_context::child_terminated, reason, std::move(who));
  check_auto_shutdown(dynamic_spec_.significant);
}

bool supervisor_impl::intensity_allows(const offender_info& who) {
  auto now = options_.clock ? options_.clock() : std::chrono::steady_clock::now();
  if (intensity_.add_restart(now))
    return true;
  emit(report_context::reached_max_restart_intensity, shutdown_reason(), who);
  shutdown(shutdown_reason());
  return false;
}

void supervisor_impl::restart_static(std::size_t idx) {
  if (intensity_allows(make_offender(children_[idx].spec, nullptr)))
    apply_strategy(idx);
}

void supervisor_impl::apply_strategy(std::size_t idx) {
  auto id = children_[idx].spec.id;
  switch (flags_.strategy) {
    case restart_strategy::one_for_one:
    case restart_strategy::simple_one_for_one:
      start_static_from(id, true);
      return;
    case restart_strategy::rest_for_one:
      stop_children(take_statics_after(idx + 1), false, [this, id] { start_static_from(id, false); });
      return;
    case restart_strategy::one_for_all:
      // Temporary children are dropped while stopping, so restart from the first survivor.
      stop_children(take_statics_after(0), false, [this] { start_static_from({}, false); });
      return;
  }
}

// Starts the stopped children from `id` (empty: the first child) on, or only `id`, in order; on a failure marks that
// child restarting and schedules a retry, which counts as a restart (OTP try_again_restart).
void supervisor_impl::start_static_from(const std::string& id, bool only_one) {
  for (auto idx = id.empty() ? 0 : find_static(id); idx < children_.size(); ++idx) {
    auto& child = children_[idx];
    if (!child.handle && start_static(idx, true)) {
      child.restarting = true;
      send(this, try_again_atom::value, child.spec.id);
      return;
    }
    if (only_one)
      return;
  }
}

caf::error supervisor_impl::start_static(std::size_t idx, bool report_errors) {
  auto& child = children_[idx];
  child.restarting = false;
  auto started = run_start(child.spec, system(), caf::message{});
  if (!started) {
    if (report_errors)
      emit(report_context::start_error, started.error(), make_offender(child.spec, nullptr));
    return std::move(started.error());
  }
  child.handle = std::move(*started);
  if (child.handle) {
    monitor(child.handle);
    emit(report_context::progress, {}, make_offender(child.spec, child.handle));
  }
  return {};
}

void supervisor_impl::on_try_again_static(const std::string& id) {
  auto idx = find_static(id);
  if (terminating_ || idx == children_.size() || !children_[idx].restarting)
    return;
  restart_static(idx);
}

caf::expected<caf::actor> supervisor_impl::start_dynamic(const caf::message& args) {
  auto started = run_start(dynamic_spec_, system(), args);
  if (started && *started) {
    monitor(*started);
    auto stored = dynamic_spec_.restart == restart_type::temporary ? caf::message{} : args;
    dynamic_.emplace(started->id(), dynamic_child{*started, std::move(stored)});
  }
  return started;
}

void supervisor_impl::restart_dynamic(caf::message args) {
  auto started = start_dynamic(args);
  if (started)
    return;
  emit(report_context::start_error, started.error(), make_offender(dynamic_spec_, nullptr));
  auto key = next_restart_key_++;
  dynamic_restarting_.emplace(key, std::move(args));
  send(this, try_again_atom::value, key);
}

void supervisor_impl::on_try_again_dynamic(uint64_t key) {
  auto i = dynamic_restarting_.find(key);
  if (terminating_ || i == dynamic_restarting_.end())
    return;
  auto args = std::move(i->second);
  dynamic_restarting_.erase(i);
  if (intensity_allows(make_offender(dynamic_spec_, nullptr)))
    restart_dynamic(std::move(args));
}

bool supervisor_impl::significant_alive() const {
  if (dynamic())
    return dynamic_spec_.significant && (!dynamic_.empty() || !dynamic_restarting_.empty());
  for (const auto& child : children_)
    if (child.spec.significant && (child.handle || child.restarting))
      return true;
  return false;
}

void supervisor_impl::check_auto_shutdown(bool significant) {
  if (!significant || terminating_)
    return;
  switch (flags_.auto_shutdown) {
    case auto_shutdown_mode::never:
      return;
    case auto_shutdown_mode::any_significant:
      shutdown(shutdown_reason());
      return;
    case auto_shutdown_mode::all_significant:
      if (!significant_alive())
        shutdown(shutdown_reason());
      return;
  }
}

} // namespace switchboard::supervision::detail

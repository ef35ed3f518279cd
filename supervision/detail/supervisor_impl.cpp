#include "supervision/detail/supervisor_impl.hpp"

#include <caf/actor_system.hpp>
#include <caf/exit_reason.hpp>
#include <caf/send.hpp>
#include <caf/system_messages.hpp>

#include "supervision/detail/atoms.hpp"
#include "supervision/detail/start.hpp"
#include "supervision/errors.hpp"
#include "supervision/exit_reasons.hpp"

namespace switchboard::supervision::detail {

caf::actor spawn_supervisor(caf::actor_system& sys, supervisor_init init) {
  if (init.options.name.empty())
    init.options.name = "supervisor";
  if (!init.options.clock)
    init.options.clock = steady_clock();
  return sys.spawn<supervisor_impl>(std::move(init));
}

supervisor_impl::supervisor_impl(caf::actor_config& cfg, supervisor_init init)
    : caf::event_based_actor(cfg), flags_(init.flags), options_(std::move(init.options)),
      clock_(options_.clock), intensity_(flags_.intensity, flags_.period),
      top_level_(init.top_level), parent_(top_level_ ? options_.parent : caf::actor_addr{}) {
  if (dynamic()) {
    dynamic_spec_ = std::move(init.specs.front());
    return;
  }
  for (auto& spec : init.specs)
    children_.push_back({std::move(spec), nullptr, false});
}

const char* supervisor_impl::name() const {
  return options_.name.c_str();
}

caf::behavior supervisor_impl::make_behavior() {
  set_default_handler(caf::drop);
  set_error_handler([](caf::error&) {});
  set_exit_handler([this](caf::exit_msg& msg) {
    // OTP: a supervisor ends on its parent's exit signal only; others are not its business.
    if (is_normal(msg.reason) || !parent_ || msg.source != parent_)
      return;
    run_or_defer({}, [this, reason = msg.reason] { shutdown(reason); });
  });
  set_down_handler([this](caf::down_msg& msg) {
    if (on_start_down(msg) || on_stop_down(msg))
      return;
    run_or_defer({}, [this, msg] { on_child_down(msg); });
  });
  init_children();
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
    [this, call](get_childspec_atom, std::string& id) {
      return call([this, id](caf::response_promise& rp) { call_get_childspec(id, rp); });
    },
    [this, call](get_flags_atom) {
      return call([this](caf::response_promise& rp) { rp.deliver(flags_); });
    },
    [this, call](stop_atom, caf::error& reason) {
      return call([this, reason](caf::response_promise& rp) {
        stop_waiters_.push_back(rp);
        shutdown(reason);
      });
    },
    [this](init_ack_atom) {
      // Not deferred: it is how the parent learns that the start is over. The sender is read
      // first: making the promise takes it over.
      auto asker = current_sender() ? current_sender()->address() : caf::actor_addr{};
      auto rp = make_response_promise();
      call_init_ack(asker, rp);
      return rp;
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
  auto kill = [](const caf::actor& x) {
    if (x)
      caf::anon_send_exit(x, caf::exit_reason::kill);
  };
  for (auto& child : children_)
    kill(child.handle);
  for (auto& [id, child] : dynamic_)
    kill(child.handle);
  for (auto& [id, item] : stopping_)
    kill(item.handle);
  for (auto& item : stop_queue_)
    kill(item.handle);
  if (starting_)
    kill(starting_->handle);
  auto down = caf::make_error(caf::sec::request_receiver_down);
  for (auto& call : deferred_)
    if (call.rp.pending())
      call.rp.deliver(down);
  for (auto* waiters : {&init_waiters_, &stop_waiters_})
    for (auto& rp : *waiters)
      if (rp.pending())
        rp.deliver(down);
  // Specs may capture handles (even of this supervisor): drop them to break cycles.
  children_.clear();
  dynamic_.clear();
  dynamic_spec_ = {};
  stopping_.clear();
  stop_queue_.clear();
  deferred_.clear();
  init_waiters_.clear();
  stop_waiters_.clear();
  starting_.reset();
  after_stop_ = nullptr;
  options_.on_report = nullptr;
  options_.clock = nullptr;
  clock_ = nullptr;
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

// -- starting -------------------------------------------------------------------------------

// OTP do_start_child/2 plus proc_lib's init handshake: a child that asked for an init ack
// counts as started only once it answered; until then the supervisor is busy.
void supervisor_impl::start_one(const child_spec& spec, const caf::message& args, start_done then) {
  auto spawned = run_start(spec, system(), args);
  if (!spawned) {
    then(std::move(spawned.error()));
    return;
  }
  auto child = spawned->handle;
  if (!child) {
    then(caf::actor{}); // ignore
    return;
  }
  monitor(child);
  if (!spawned->awaits_init_ack) {
    then(std::move(child));
    return;
  }
  starting_ = start_wait{child, std::move(then)};
  request(child, caf::infinite, init_ack_atom::value)
    .then([this, child](ok_atom) { finish_start(child, {}); },
          [this, child](caf::error& err) {
            // A child that died first is reported by its down_msg, with the real reason.
            if (err != caf::sec::request_receiver_down)
              finish_start(child, std::move(err));
          });
}

void supervisor_impl::finish_start(const caf::actor& child, caf::error reason) {
  if (!starting_ || starting_->handle != child)
    return; // the other of (answer, down_msg) came first
  auto then = std::move(starting_->then);
  starting_.reset();
  if (reason) {
    // It refused its init; make sure it is gone, and forget it.
    demonitor(child);
    send_exit(child, caf::exit_reason::kill);
    then(std::move(reason));
  } else {
    then(child);
  }
  drain();
}

bool supervisor_impl::on_start_down(const caf::down_msg& msg) {
  if (!starting_ || starting_->handle.address() != msg.source)
    return false;
  auto reason = msg.reason ? msg.reason
                           : caf::make_error(caf::sec::runtime_error,
                                             "exited normally before acknowledging its init");
  finish_start(starting_->handle, std::move(reason));
  return true;
}

// Starts the stopped static children from `idx` on (only that one when `only_one`), in order,
// each after the previous one started; stops at the first failure and hands it to `done`.
void supervisor_impl::start_statics(std::size_t idx, bool only_one, statics_done done) {
  while (idx < children_.size() && children_[idx].handle) {
    if (only_one)
      break;
    ++idx;
  }
  if (idx >= children_.size() || children_[idx].handle) {
    done(std::nullopt);
    return;
  }
  children_[idx].restarting = false;
  auto id = children_[idx].spec.id;
  auto spec = children_[idx].spec; // the start may outlive a reference into children_
  start_one(spec, {},
            [this, id, only_one, done = std::move(done)](caf::expected<caf::actor> started) {
              auto i = find_static(id);
              if (!started) {
                done(start_failure{id, std::move(started.error())});
                return;
              }
              auto& child = children_[i];
              child.handle = std::move(*started);
              if (child.handle) {
                emit(report_context::progress, {}, make_offender(child.spec, child.handle));
                ++i;
              } else if (child.spec.restart == restart_type::temporary) {
                children_.erase(children_.begin() + static_cast<std::ptrdiff_t>(i)); // OTP drops it
              } else {
                ++i;
              }
              if (only_one)
                done(std::nullopt);
              else
                start_statics(i, false, done);
            });
}

// OTP init/1: the children start in order; the first failure stops those started, in reverse
// order, and the supervisor exits with failed_to_start_child, which its parent sees.
void supervisor_impl::init_children() {
  auto finish = [this](std::optional<start_failure> failure) {
    initialized_ = true;
    if (!failure) {
      for (auto& rp : init_waiters_)
        rp.deliver(ok_atom::value);
      init_waiters_.clear();
      drain();
      return;
    }
    auto idx = find_static(failure->id);
    emit(report_context::start_error, failure->reason, make_offender(children_[idx].spec, nullptr));
    init_error_ = failed_to_start_child(failure->id, failure->reason);
    shutdown(init_error_);
  };
  if (dynamic())
    finish(std::nullopt);
  else
    start_statics(0, false, std::move(finish));
}

void supervisor_impl::start_dynamic(caf::message args, start_done then) {
  start_one(
    dynamic_spec_, args, [this, args, then = std::move(then)](caf::expected<caf::actor> started) {
      if (started && *started) {
        auto stored = dynamic_spec_.restart == restart_type::temporary ? caf::message{} : args;
        dynamic_.emplace(started->id(), dynamic_child{*started, std::move(stored)});
      }
      then(std::move(started));
    });
}

// -- exits and restarts ---------------------------------------------------------------------

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
  if (restart == restart_type::permanent ||
      (restart == restart_type::transient && is_abnormal(reason))) {
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
  if (intensity_.add_restart(clock_->now()))
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
    case restart_strategy::simple_one_for_one: start_static_from(id, true); return;
    case restart_strategy::rest_for_one:
      stop_children(take_statics_after(idx + 1), false,
                    [this, id] { start_static_from(id, false); });
      return;
    case restart_strategy::one_for_all:
      // Temporary children are dropped while stopping, so restart from the first survivor.
      stop_children(take_statics_after(0), false, [this] { start_static_from({}, false); });
      return;
  }
}

// Starts the stopped children from `id` (empty: the first child) on, or only `id`, in order;
// on a failure marks that child restarting and schedules a retry, which counts as a restart
// (OTP try_again_restart).
void supervisor_impl::start_static_from(const std::string& id, bool only_one) {
  auto first = id.empty() ? 0 : find_static(id);
  start_statics(first, only_one, [this](std::optional<start_failure> failure) {
    if (!failure)
      return;
    auto idx = find_static(failure->id);
    emit(report_context::start_error, failure->reason, make_offender(children_[idx].spec, nullptr));
    children_[idx].restarting = true;
    send(this, try_again_atom::value, failure->id);
  });
}

void supervisor_impl::on_try_again_static(const std::string& id) {
  auto idx = find_static(id);
  if (terminating_ || idx == children_.size() || !children_[idx].restarting)
    return;
  restart_static(idx);
}

void supervisor_impl::restart_dynamic(caf::message args) {
  start_dynamic(args, [this, args](caf::expected<caf::actor> started) {
    if (started)
      return;
    emit(report_context::start_error, started.error(), make_offender(dynamic_spec_, nullptr));
    auto key = next_restart_key_++;
    dynamic_restarting_.emplace(key, args);
    send(this, try_again_atom::value, key);
  });
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
    case auto_shutdown_mode::never: return;
    case auto_shutdown_mode::any_significant: shutdown(shutdown_reason()); return;
    case auto_shutdown_mode::all_significant:
      if (!significant_alive())
        shutdown(shutdown_reason());
      return;
  }
}

} // namespace switchboard::supervision::detail

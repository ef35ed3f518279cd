#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include <caf/event_based_actor.hpp>
#include <caf/response_promise.hpp>

#include "supervision/supervisor.hpp"

namespace switchboard::supervision::detail {

/// A static child: its spec and, while it runs, its handle.
struct static_child {
  child_spec spec;
  caf::actor handle;       ///< invalid when undefined or restarting
  bool restarting = false; ///< a failed restart waits for its retry
};

/// Everything a supervisor is spawned with: validated flags and specs, nothing started yet.
struct supervisor_init {
  supervisor_flags flags;
  std::vector<child_spec> specs; ///< static specs in start order, or the one dynamic spec
  supervisor_options options;
  bool top_level = true; ///< false: its parent is the supervisor that asks for its init ack
};

/// Spawns a supervisor that starts its children itself (see start_supervisor); returns at
/// once. `init` must be valid.
caf::actor spawn_supervisor(caf::actor_system& sys, supervisor_init init);

/// The supervisor actor (contract in supervisor.hpp). Single-threaded like any actor; all
/// members are touched only inside it.
class supervisor_impl : public caf::event_based_actor {
public:
  supervisor_impl(caf::actor_config& cfg, supervisor_init init);

  caf::behavior make_behavior() override;
  void on_exit() override;
  const char* name() const override;

private:
  /// A child being stopped: its handle, what reports need, and how to stop it.
  struct stop_item {
    caf::actor handle;
    offender_info who;
    bool timed_out = false;
  };

  /// A call or event that waits until the supervisor is idle (not starting or stopping).
  struct deferred {
    caf::response_promise rp; ///< pending for calls, so they can be failed at exit
    std::function<void()> run;
  };

  /// Where a start ends: the child (invalid when ignored) or the start error.
  using start_done = std::function<void(caf::expected<caf::actor>)>;
  /// Where a run of static starts ends: empty, or the id that failed and its error.
  struct start_failure {
    std::string id;
    caf::error reason;
  };
  using statics_done = std::function<void(std::optional<start_failure>)>;

  /// The child whose init ack the supervisor waits for.
  struct start_wait {
    caf::actor handle;
    start_done then;
  };

  // -- starting and restarting children (supervisor_impl.cpp) --
  bool dynamic() const { return flags_.strategy == restart_strategy::simple_one_for_one; }
  std::size_t find_static(const std::string& id) const;
  std::size_t find_static(const caf::actor_addr& addr) const;
  void start_one(const child_spec& spec, const caf::message& args, start_done then);
  void finish_start(const caf::actor& child, caf::error reason);
  bool on_start_down(const caf::down_msg& msg);
  void start_statics(std::size_t idx, bool only_one, statics_done done);
  void start_dynamic(caf::message args, start_done then);
  void init_children();
  void on_child_down(const caf::down_msg& msg);
  void on_static_down(std::size_t idx, const caf::error& reason);
  void on_dynamic_down(caf::actor_id id, const caf::error& reason);
  void restart_static(std::size_t idx);
  void restart_dynamic(caf::message args);
  bool intensity_allows(const offender_info& who);
  void apply_strategy(std::size_t idx);
  void start_static_from(const std::string& id, bool only_one);
  void on_try_again_static(const std::string& id);
  void on_try_again_dynamic(uint64_t key);
  void check_auto_shutdown(bool significant);
  bool significant_alive() const;
  void emit(report_context ctx, caf::error reason, offender_info who);

  // -- API calls (supervisor_api.cpp) --
  void call_start_child(child_spec spec, caf::response_promise rp);
  void call_start_dynamic(caf::message args, caf::response_promise rp);
  void call_terminate(const std::string& id, caf::response_promise rp);
  void call_terminate(const caf::actor& child, caf::response_promise rp);
  void terminate_static(std::size_t idx, caf::response_promise rp);
  void call_restart(const std::string& id, caf::response_promise rp);
  void call_delete(const std::string& id, caf::response_promise rp);
  void call_get_childspec(const std::string& id, caf::response_promise rp);
  void call_init_ack(const caf::actor_addr& asker, caf::response_promise rp);
  std::vector<child_info> which_children() const;
  child_counts count_children() const;

  // -- stopping children (supervisor_stop.cpp) --
  bool busy() const { return !initialized_ || starting_ || after_stop_; }
  void run_or_defer(caf::response_promise rp, std::function<void()> f);
  void drain();
  stop_item take_static(std::size_t idx);
  std::vector<stop_item> take_statics_after(std::size_t first);
  void stop_children(std::vector<stop_item> items, bool parallel, std::function<void()> then);
  void initiate_stop(stop_item item);
  void advance_stop();
  bool on_stop_down(const caf::down_msg& msg);
  void on_stop_timeout(caf::actor_id id);
  void finish_stop();
  void shutdown(caf::error reason);

  supervisor_flags flags_;
  supervisor_options options_;
  std::shared_ptr<supervision::clock> clock_;
  restart_intensity intensity_;
  bool top_level_;
  caf::actor_addr parent_; ///< the only sender whose exit signals it obeys

  bool initialized_ = false; ///< its own start is over (successfully or not)
  caf::error init_error_;    ///< failed_to_start_child when its start failed
  std::vector<caf::response_promise> init_waiters_;
  std::vector<caf::response_promise> stop_waiters_;
  std::optional<start_wait> starting_;

  std::vector<static_child> children_; // in start order
  child_spec dynamic_spec_;
  struct dynamic_child {
    caf::actor handle;
    caf::message args; // empty for temporary children, which never restart
  };
  std::unordered_map<caf::actor_id, dynamic_child> dynamic_;
  std::unordered_map<uint64_t, caf::message> dynamic_restarting_;
  uint64_t next_restart_key_ = 1;

  bool terminating_ = false;
  std::unordered_map<caf::actor_id, stop_item> stopping_; // in flight
  std::deque<stop_item> stop_queue_;                      // sequential remainder
  std::function<void()> after_stop_;                      // set while stopping
  std::deque<deferred> deferred_;
};

} // namespace switchboard::supervision::detail

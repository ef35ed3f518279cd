#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <variant>

#include <caf/actor.hpp>
#include <caf/actor_cast.hpp>
#include <caf/allowed_unsafe_message_type.hpp>
#include <caf/error.hpp>
#include <caf/fwd.hpp>
#include <caf/message.hpp>

namespace switchboard::supervision {

/// When a terminated child is restarted (OTP `restart`).
enum class restart_type : uint8_t {
  permanent, ///< always restarted (default)
  transient, ///< restarted only after an abnormal exit (see exit_reasons.hpp)
  temporary, ///< never restarted; its spec is dropped when it terminates
};

/// What the child is (OTP `type`); decides the default `shutdown` and `count_children`.
enum class child_type : uint8_t { worker, supervisor };

/// How a supervisor stops a child (OTP `shutdown`).
struct shutdown_spec {
  enum class kind : uint8_t {
    brutal_kill, ///< send exit_reason::kill at once
    timeout,     ///< send the shutdown exit, kill after `timeout` (>= 0 ms) if still alive
    infinity,    ///< send the shutdown exit and wait as long as it takes
  };
  kind how = kind::timeout;
  std::chrono::milliseconds timeout{5000};

  [[nodiscard]] static shutdown_spec brutal_kill() { return {kind::brutal_kill, {}}; }
  [[nodiscard]] static shutdown_spec after(std::chrono::milliseconds t) {
    return {kind::timeout, t};
  }
  [[nodiscard]] static shutdown_spec infinity() { return {kind::infinity, {}}; }
  friend bool operator==(const shutdown_spec&, const shutdown_spec&) = default;
};

/// Tag returned by a start function to say "do not start this child" (OTP `ignore`).
struct ignore_t {};
inline constexpr ignore_t ignore{};

/// What a start function returns: the child's handle, an error, or `ignore`.
class start_result {
public:
  /// Started, and running already (OTP: a start function that spawns without proc_lib's
  /// init handshake). `child` must be valid (an invalid handle is refused as bad_start_result).
  start_result(caf::actor child) : value_(std::move(child)) {}
  /// Started a typed actor (any handle type `actor_cast` accepts).
  template <class Handle, class = decltype(caf::actor_cast<caf::actor>(std::declval<Handle>())),
            class = std::enable_if_t<!std::is_same_v<std::decay_t<Handle>, caf::actor>>>
  start_result(const Handle& child) : value_(caf::actor_cast<caf::actor>(child)) {}
  /// Failed: `reason` must not be empty.
  start_result(caf::error reason) : value_(std::move(reason)) {}
  /// Not started, and not an error.
  start_result(ignore_t) : value_(ignore_t{}) {}

  /// Spawned, and started only once it acknowledges its init (OTP `proc_lib:init_ack`): the
  /// supervisor asks `child` with `(init_ack_atom)` (protocol.hpp) and waits, busy as OTP's
  /// blocked supervisor is, until it answers `ok_atom` (started), answers an error or
  /// terminates first (a start error with that reason, never a crash counted against the
  /// restart intensity). Nested supervisors start this way.
  [[nodiscard]] static start_result with_init_ack(caf::actor child) {
    start_result x{std::move(child)};
    x.init_ack_ = true;
    return x;
  }

  [[nodiscard]] bool ignored() const { return std::holds_alternative<ignore_t>(value_); }
  [[nodiscard]] const caf::actor* child() const { return std::get_if<caf::actor>(&value_); }
  [[nodiscard]] const caf::error* error() const { return std::get_if<caf::error>(&value_); }
  /// Whether the child must acknowledge its init before it counts as started.
  [[nodiscard]] bool awaits_init_ack() const { return init_ack_; }

private:
  std::variant<caf::actor, caf::error, ignore_t> value_;
  bool init_ack_ = false;
};

/// Starts one child (OTP `start` MFA). Receives the actor system and the extra arguments
/// of a simple_one_for_one `start_child` call (empty for static children). Must spawn the
/// child and return its handle without blocking; the supervisor monitors it. Runs inside the
/// supervisor actor, so captured state must be safe to use from any thread.
/// A thrown exception counts as a start error.
using start_fun = std::function<start_result(caf::actor_system&, const caf::message& args)>;

/// One child of a supervisor: plain data, OTP's child specification.
struct child_spec {
  /// Unique among the supervisor's specs; required (also for simple_one_for_one).
  std::string id;
  /// Required.
  start_fun start;
  /// Default permanent, as in OTP.
  restart_type restart = restart_type::permanent;
  /// Unset means the OTP default for `type`: 5000 ms for a worker, infinity for a supervisor.
  std::optional<shutdown_spec> shutdown;
  /// Default worker.
  child_type type = child_type::worker;
  /// Whether its own termination counts for the supervisor's `auto_shutdown`. Default false;
  /// true is a `bad_combination` on a permanent child and under `auto_shutdown = never`.
  bool significant = false;
};

/// The shutdown that applies to `spec`: its own, or the default for its type.
[[nodiscard]] shutdown_spec effective_shutdown(const child_spec& spec);

[[nodiscard]] std::string to_string(restart_type x);
[[nodiscard]] std::string to_string(child_type x);
[[nodiscard]] std::string to_string(const shutdown_spec& x);

} // namespace switchboard::supervision

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(switchboard::supervision::child_spec)

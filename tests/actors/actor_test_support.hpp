#pragma once
/// Shared by the actor specs: an actor system on CAF's deterministic test coordinator, and a
/// port that records what an actor writes to its client.

#include "actors/outbound.hpp"

#include <caf/actor.hpp>
#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/atom.hpp>
#include <caf/exit_reason.hpp>
#include <caf/message.hpp>
#include <caf/scheduler/test_coordinator.hpp>
#include <caf/sec.hpp>
#include <caf/system_messages.hpp>
#include <doctest/doctest.h>

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace switchboard::tests {

/// Records every frame pushed to it (as payload text, one entry per WebSocket frame), every
/// close and the inbound bytes reported consumed. push reports `answer` (the frame is recorded
/// anyway). Drained notifications run at once while `drained`, else wait for drain().
class recording_port final : public actors::outbound_port {
public:
  actors::push_result push(actors::frame_ptr frame) override {
    // Server frames are unmasked: a 2-byte header, plus 2 or 8 bytes of extended length.
    std::string_view bytes = frame->bytes;
    while (bytes.size() >= 2) {
      std::size_t len = static_cast<unsigned char>(bytes[1]) & 0x7f;
      std::size_t header = 2;
      if (len == 126) {
        len = (static_cast<unsigned char>(bytes[2]) << 8) | static_cast<unsigned char>(bytes[3]);
        header = 4;
      } else if (len == 127) {
        len = 0;
        for (int i = 2; i < 10; ++i)
          len = (len << 8) | static_cast<unsigned char>(bytes[i]);
        header = 10;
      }
      frames.emplace_back(bytes.substr(header, len));
      bytes.remove_prefix(header + len);
    }
    return answer;
  }
  void close(std::uint16_t code, std::string_view reason) override {
    closes.emplace_back(code, std::string{reason});
  }
  void inbound_consumed(std::size_t bytes) noexcept override { consumed += bytes; }
  protocol::serializer serializer() const noexcept override { return protocol::serializer::v2; }
  void notify_when_drained(std::uint64_t requester, actors::drained_callback fn) override {
    ++drain_requests;
    if (drained)
      fn();
    else
      waiting[requester] = std::move(fn);
  }
  void cancel_drained_notification(std::uint64_t requester) noexcept override {
    waiting.erase(requester);
  }

  /// The connection's queue drained: runs the waiting callbacks.
  void drain() {
    drained = true;
    for (auto& [requester, fn] : std::exchange(waiting, {}))
      fn();
  }

  /// Frames not yet taken, marking them taken.
  std::vector<std::string> take() {
    auto out =
      std::vector<std::string>(frames.begin() + static_cast<std::ptrdiff_t>(taken), frames.end());
    taken = frames.size();
    return out;
  }

  std::vector<std::string> frames;
  std::size_t taken = 0;
  std::vector<std::pair<std::uint16_t, std::string>> closes;
  std::size_t consumed = 0;
  actors::push_result answer = actors::push_result::queued;
  bool drained = true;
  std::map<std::uint64_t, actors::drained_callback> waiting; ///< by requester
  int drain_requests = 0;
};

using frames = std::vector<std::string>;

/// How an actor exited; filled in by `watch_exit`.
struct exit_record {
  bool exited = false;
  caf::error reason; ///< empty for a normal exit
};

/// Records `a`'s exit in the returned record.
inline std::shared_ptr<exit_record> watch_exit(const caf::actor& a) {
  auto rec = std::make_shared<exit_record>();
  a->attach_functor([rec](const caf::error& reason) {
    rec->exited = true;
    rec->reason = reason;
  });
  return rec;
}

/// Sends `to` an exit signal with any reason (caf::anon_send_exit takes exit_reason values only).
inline void send_exit(const caf::actor& to, caf::error reason) {
  to->enqueue(nullptr, caf::make_message_id(),
              caf::make_message(caf::exit_msg{to->address(), std::move(reason)}), nullptr);
}

/// An actor system whose actors run only when the test says so.
struct test_system {
  caf::actor_system_config cfg;
  std::unique_ptr<caf::actor_system> sys;
  caf::scheduler::test_coordinator* sched = nullptr;

  test_system() {
    cfg.set("scheduler.policy", caf::atom("testing"));
    sys = std::make_unique<caf::actor_system>(cfg);
    sched = &dynamic_cast<caf::scheduler::test_coordinator&>(sys->scheduler());
  }

  /// Runs one message of `a` (which must have one waiting).
  template <class Handle>
  void step(const Handle& a) {
    REQUIRE(sched->prioritize(a));
    sched->run_once();
  }

  /// Runs every waiting message except those of `a`.
  template <class Handle>
  void run_except(const Handle& a) {
    auto* held = dynamic_cast<caf::resumable*>(caf::actor_cast<caf::abstract_actor*>(a));
    sched->run_jobs_filtered([held](caf::resumable* r) { return r != held; });
  }
};

} // namespace switchboard::tests

namespace doctest {
/// Failed checks on frame lists print the frames.
template <>
struct StringMaker<std::vector<std::string>> {
  static String convert(const std::vector<std::string>& v) {
    std::string out = "{";
    for (const auto& s : v)
      out += (out.size() > 1 ? ", " : "") + s;
    return String((out + "}").c_str());
  }
};
} // namespace doctest

// Fuzzes the RFC 6455 server frame reader (net/ws_reader.hpp) with arbitrary client bytes.
// Input: byte 0 picks max_message_bytes, byte 1 how the rest is cut into feed() calls, the rest is
// the byte stream. Checks: no crash or UB; the events and the outcome do not depend on how the
// stream is cut (compared with one whole feed); failure codes are only 1002/1007/1009 and a failed
// reader keeps returning that failure and delivers nothing more; text messages and close reasons
// are valid UTF-8; data messages fit max_message_bytes, control payloads 125 bytes; a close event
// has code 1005 exactly when its payload is empty; while no failure occurred, buffered_bytes()
// stays below max_message_bytes + 14 (largest header) + 125 (largest control payload), because a
// partial control frame can be buffered next to a fragmented message that already holds the max.

#include "net/ws_reader.hpp"
#include "protocol/utf8.hpp"
#include "tests/fuzz/fuzz_check.hpp"

#include <algorithm>
#include <array>
#include <cstdint>
#include <limits>
#include <string>
#include <string_view>
#include <vector>

using switchboard::fuzz::check;
using switchboard::net::ws_reader;

namespace {

// The largest is the largest max_frame_bytes the configuration accepts (server/config.cpp).
constexpr std::array<std::size_t, 8> max_sizes{
  1, 7, 125, 126, 200, 1024, std::numeric_limits<std::int64_t>::max(), 65536};
constexpr std::size_t max_header = 14;
constexpr std::size_t max_control_payload = 125;

struct recorded {
  ws_reader::kind what;
  std::string payload;
  std::uint16_t close_code;
  friend bool operator==(const recorded&, const recorded&) = default;
};

struct outcome {
  std::vector<recorded> events;
  ws_reader::failure failure;
};

/// Chunk lengths: whole stream, byte by byte, or pseudo-random lengths seeded by `mode`.
class chunker {
public:
  explicit chunker(std::uint8_t mode) : mode_(mode), state_(mode | 1u) {}

  std::size_t next(std::size_t left) {
    if (mode_ == 0)
      return left;
    if (mode_ == 1)
      return 1;
    state_ = state_ * 1103515245u + 12345u;
    const std::size_t limit = (mode_ & 0x80) ? 300 : 16;
    return std::min(left, 1 + (state_ >> 8) % limit);
  }

private:
  std::uint8_t mode_;
  std::uint32_t state_;
};

void check_event(const ws_reader::event& ev, std::size_t max) {
  switch (ev.what) {
    case ws_reader::kind::text:
      check(switchboard::protocol::is_valid_utf8(ev.payload), "text message is valid UTF-8");
      [[fallthrough]];
    case ws_reader::kind::binary:
      check(ev.payload.size() <= max, "data message fits max_message_bytes");
      break;
    case ws_reader::kind::close:
      check(ev.payload.size() != 1, "close payload is never 1 byte");
      if (ev.payload.empty())
        check(ev.close_code == 1005, "close without payload has code 1005");
      else
        check(switchboard::protocol::is_valid_utf8(ev.payload.substr(2)), "close reason is UTF-8");
      [[fallthrough]];
    case ws_reader::kind::ping:
    case ws_reader::kind::pong:
      check(ev.payload.size() <= max_control_payload, "control payload fits 125 bytes");
      break;
  }
}

outcome run(std::string_view stream, std::size_t max, std::uint8_t mode) {
  ws_reader reader{max};
  chunker cut{mode};
  outcome out;
  std::size_t pos = 0;
  do {
    const auto n = cut.next(stream.size() - pos);
    bool delivered_after_failure = false;
    const bool failed_before = out.failure.code != 0;
    const auto f = reader.feed(stream.substr(pos, n), [&](const ws_reader::event& ev) {
      check_event(ev, max);
      delivered_after_failure = failed_before;
      out.events.push_back({ev.what, std::string{ev.payload}, ev.close_code});
    });
    pos += n;
    check(!delivered_after_failure, "a failed reader delivers nothing");
    if (failed_before) {
      check(f.code == out.failure.code && f.reason == out.failure.reason,
            "a failed reader returns the same failure");
      continue;
    }
    out.failure = f;
    if (f.code != 0) {
      check(f.code == 1002 || f.code == 1007 || f.code == 1009, "failure code is 1002/1007/1009");
      check(!f.reason.empty() && f.reason.size() <= 123, "failure reason fits a close frame");
    } else {
      check(reader.buffered_bytes() < max + max_header + max_control_payload,
            "buffered_bytes stays bounded");
    }
  } while (pos < stream.size());
  // One more (empty) feed: an idle reader stays idle, a failed one stays failed.
  const auto f = reader.feed(
    {}, [](const ws_reader::event&) { check(false, "an empty feed delivers nothing"); });
  check(f.code == out.failure.code, "an empty feed keeps the outcome");
  return out;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 2)
    return 0;
  const std::size_t max = max_sizes[data[0] % max_sizes.size()];
  const std::uint8_t mode = data[1];
  const std::string_view stream(reinterpret_cast<const char*>(data) + 2, size - 2);

  const auto chunked = run(stream, max, mode);
  if (mode == 0)
    return 0;
  const auto whole = run(stream, max, 0);
  check(chunked.events == whole.events, "events do not depend on how the stream is cut");
  check(chunked.failure.code == whole.failure.code &&
          chunked.failure.reason == whole.failure.reason,
        "the outcome does not depend on how the stream is cut");
  return 0;
}

#pragma once
/// Channel route patterns: an exact topic, or a prefix ending in `*` (the `*` only as the last
/// character), as in Phoenix's `channel "room:*", RoomChannel`.

#include <optional>
#include <string>
#include <string_view>

namespace switchboard::protocol {

class topic_pattern {
public:
  /// Returns nullopt (and sets `error`) for an empty pattern or a `*` that is not the last
  /// character. "room:*" matches "room:" and every topic starting with it; "*" alone matches every
  /// topic. Matching compares bytes (case-sensitive), like Phoenix's binary prefix match.
  [[nodiscard]] static std::optional<topic_pattern> parse(std::string_view text,
                                                          std::string& error);

  [[nodiscard]] bool matches(std::string_view topic) const noexcept;
  [[nodiscard]] const std::string& text() const noexcept { return text_; }

private:
  explicit topic_pattern(std::string text);
  std::string text_;
  bool is_prefix_ = false;
};

} // namespace switchboard::protocol

#include "protocol/topic_pattern.hpp"

#include <utility>

namespace switchboard::protocol {

std::optional<topic_pattern> topic_pattern::parse(std::string_view text, std::string& error) {
  if (text.empty()) {
    error = "topic pattern must not be empty";
    return std::nullopt;
  }
  const auto star = text.find('*');
  if (star != std::string_view::npos && star != text.size() - 1) {
    error = "'*' is only allowed as the last character of a topic pattern: " + std::string(text);
    return std::nullopt;
  }
  return topic_pattern(std::string(text));
}

topic_pattern::topic_pattern(std::string text)
    : text_(std::move(text)), is_prefix_(!text_.empty() && text_.back() == '*') {}

bool topic_pattern::matches(std::string_view topic) const noexcept {
  if (!is_prefix_)
    return topic == text_;
  const std::string_view prefix(text_.data(), text_.size() - 1);
  return topic.starts_with(prefix);
}

} // namespace switchboard::protocol

// The presence list one client builds from `presence_state` and `presence_diff`, as phoenix.js's
// `Presence` does: diffs that arrive before the state of the current join are held back and
// applied after it; joins replace metas with the same phx_ref, leaves remove by phx_ref.
#pragma once

#include <boost/json/object.hpp>

#include <cstddef>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace switchboard::bench {

class presence_model {
public:
  /// Forgets everything: a fresh `Presence` for a new join.
  void reset();
  /// A `presence_state` payload (raw JSON). False when it does not parse.
  bool on_state(std::string_view json);
  /// A `presence_diff` payload (raw JSON). False when it does not parse.
  bool on_diff(std::string_view json);

  [[nodiscard]] bool has_state() const noexcept { return has_state_; }
  [[nodiscard]] std::size_t keys() const noexcept { return refs_.size(); }
  /// Every key holds exactly one meta.
  [[nodiscard]] bool one_meta_per_key() const noexcept;

private:
  void apply_diff(const boost::json::object& diff);

  bool has_state_ = false;
  std::vector<boost::json::object> pending_;
  std::unordered_map<std::string, std::vector<std::string>> refs_; ///< key -> phx_refs
};

} // namespace switchboard::bench

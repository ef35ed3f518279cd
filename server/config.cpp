#include "server/config.hpp"

#include "protocol/topic_pattern.hpp"

#include <algorithm>
#include <array>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <limits>
#include <memory>
#include <sstream>
#include <system_error>
#include <utility>

namespace switchboard::server {

namespace {

constexpr std::array overflow_names{
  std::pair{overflow_policy::close, std::string_view{"close"}},
  std::pair{overflow_policy::drop_newest, std::string_view{"drop_newest"}},
  std::pair{overflow_policy::drop_oldest, std::string_view{"drop_oldest"}},
};

constexpr std::array<std::string_view, 6> log_levels{"trace", "debug", "info",
                                                     "warn",  "error", "off"};

/// The smallest integer a count or duration accepts.
enum class at_least : std::uint8_t { zero, one };

/// Thrown inside this file only; parse_config turns it into load_result::error.
struct config_error {
  std::string message;
};

/// How a rejected value reads in a message: scalars as TOML, aggregates by kind.
std::string describe(const toml::node& node) {
  if (node.is_table())
    return "a table";
  if (node.is_array())
    return "an array";
  constexpr auto flags =
    toml::toml_formatter::default_flags &
    ~(toml::format_flags::allow_literal_strings | toml::format_flags::allow_multi_line_strings);
  std::ostringstream out;
  node.visit([&](const auto& value) { out << toml::toml_formatter{value, flags}; });
  return out.str();
}

/// Reads values out of one parsed document; every failure names source, line and key.
class reader {
public:
  explicit reader(std::string_view source) : source_(source) {}

  [[noreturn]] void fail(const toml::source_region& where, std::string_view key,
                         std::string_view what) const {
    std::string message{source_};
    message += ':';
    message += std::to_string(where.begin.line);
    message += ": ";
    if (!key.empty()) {
      message += key;
      message += ": ";
    }
    message += what;
    throw config_error{std::move(message)};
  }

  [[noreturn]] void expected(const toml::node& node, std::string_view key,
                             std::string_view what) const {
    fail(node.source(), key,
         std::string{"expected "}.append(what).append(", got ").append(describe(node)));
  }

  [[noreturn]] void unknown(const toml::key& k, std::string_view section) const {
    std::string name{section};
    if (!name.empty())
      name += '.';
    name += k.str();
    fail(k.source(), {}, "unknown key " + name);
  }

  /// An integer in [min, max]; `what` describes the accepted range in the message.
  std::int64_t integer(const toml::node& node, std::string_view key, std::int64_t min,
                       std::int64_t max, std::string_view what) const {
    const auto value = node.value_exact<std::int64_t>();
    if (!value || *value < min || *value > max)
      expected(node, key, what);
    return *value;
  }

  std::size_t count(const toml::node& node, std::string_view key, at_least min) const {
    constexpr auto max = std::numeric_limits<std::int64_t>::max();
    return min == at_least::zero
             ? static_cast<std::size_t>(integer(node, key, 0, max, "a non-negative integer"))
             : static_cast<std::size_t>(integer(node, key, 1, max, "a positive integer"));
  }

  std::chrono::milliseconds millis(const toml::node& node, std::string_view key,
                                   at_least min) const {
    return std::chrono::milliseconds{
      static_cast<std::chrono::milliseconds::rep>(count(node, key, min))};
  }

  /// A finite number above zero; integers are accepted (`rate = 100`).
  double positive_number(const toml::node& node, std::string_view key) const {
    std::optional<double> value;
    if (const auto* f = node.as_floating_point())
      value = f->get();
    else if (const auto* i = node.as_integer())
      value = static_cast<double>(i->get());
    if (!value || !std::isfinite(*value) || *value <= 0)
      expected(node, key, "a positive number");
    return *value;
  }

  std::string string(const toml::node& node, std::string_view key) const {
    const auto* s = node.as_string();
    if (s == nullptr || s->get().empty())
      expected(node, key, "a non-empty string");
    return s->get();
  }

  const toml::table& table(const toml::node& node, std::string_view key) const {
    const auto* t = node.as_table();
    if (t == nullptr)
      expected(node, key, "a table");
    return *t;
  }

private:
  std::string_view source_;
};

void read_listener(const reader& r, const toml::table& t, listener_config& out) {
  for (const auto& [k, v] : t) {
    const auto name = k.str();
    if (name == "host") {
      out.host = r.string(v, "listener.host");
    } else if (name == "port") {
      out.port = static_cast<std::uint16_t>(
        r.integer(v, "listener.port", 0, 65535, "an integer in 0..65535"));
    } else if (name == "socket_path") {
      const auto* s = v.as_string();
      if (s == nullptr || !s->get().starts_with('/') || s->get().ends_with('/'))
        r.expected(v, "listener.socket_path",
                   "a path that starts with \"/\" and does not end with \"/\"");
      out.socket_path = s->get();
    } else {
      r.unknown(k, "listener");
    }
  }
}

/// The flat `[limits]` table, spread over the layers' structs that own each limit.
void read_limits(const reader& r, const toml::table& t, limits_config& out) {
  auto& session = out.session;
  auto& accept = out.accept;
  for (const auto& [k, v] : t) {
    const auto name = k.str();
    const auto key = "limits." + std::string{name};
    if (name == "max_channels")
      out.connection.max_channels = r.count(v, key, at_least::one);
    else if (name == "max_frame_bytes")
      session.max_frame_bytes = r.count(v, key, at_least::one);
    else if (name == "max_outbound_bytes")
      session.max_outbound_bytes = r.count(v, key, at_least::one);
    else if (name == "max_outbound_control_bytes")
      session.max_outbound_control_bytes = r.count(v, key, at_least::one);
    else if (name == "write_timeout_ms")
      session.write_timeout = r.millis(v, key, at_least::one);
    else if (name == "idle_timeout_ms")
      session.idle_timeout = r.millis(v, key, at_least::zero); // 0 disables the idle check
    else if (name == "handshake_timeout_ms")
      accept.handshake_timeout = r.millis(v, key, at_least::one);
    else if (name == "max_connections")
      accept.max_connections = r.count(v, key, at_least::one);
    else if (name == "max_http_connections")
      accept.max_http_connections = r.count(v, key, at_least::one);
    else if (name == "messages_per_second")
      session.messages_per_second = r.positive_number(v, key);
    else if (name == "burst")
      session.burst = r.positive_number(v, key);
    else if (name == "rate_limit_close_after")
      session.rate_limit_close_after = r.count(v, key, at_least::one);
    else if (name == "room_mailbox_limit")
      out.room.mailbox_limit = r.count(v, key, at_least::one);
    else
      r.unknown(k, "limits");
  }
}

void read_runtime(const reader& r, const toml::table& t, runtime_config& out) {
  for (const auto& [k, v] : t) {
    const auto name = k.str();
    const auto key = "runtime." + std::string{name};
    if (name == "scheduler_threads") {
      out.scheduler_threads = r.count(v, key, at_least::zero); // 0 = number of cores
    } else if (name == "io_threads") {
      out.io_threads = r.count(v, key, at_least::one);
    } else if (name == "registry_partitions") {
      // 0 = scheduler threads; at most 1024, as each shard's registered name has 10 characters.
      out.registry_partitions =
        static_cast<std::size_t>(r.integer(v, key, 0, 1024, "an integer from 0 to 1024"));
    } else if (name == "memory_trim_interval_ms") {
      out.memory_trim_interval = r.millis(v, key, at_least::zero); // 0 disables trimming
    } else if (name == "log_level") {
      const auto* s = v.as_string();
      if (s == nullptr ||
          std::find(log_levels.begin(), log_levels.end(), s->get()) == log_levels.end())
        r.expected(v, key, "one of trace, debug, info, warn, error, off");
      out.log_level = s->get();
    } else {
      r.unknown(k, "runtime");
    }
  }
}

/// The string under `name` in a route; missing is reported at the route's `[[routes]]` line.
std::string required_string(const reader& r, const toml::table& route, std::string_view path,
                            std::string_view name) {
  const auto key = std::string{path} + '.' + std::string{name};
  const auto* node = route.get(name);
  if (node == nullptr)
    r.fail(route.source(), key, "missing (every route needs a pattern and a behaviour)");
  return r.string(*node, key);
}

route_config read_route(const reader& r, const toml::table& t, std::size_t index) {
  const auto path = "routes[" + std::to_string(index) + "]";
  route_config route;
  route.pattern = required_string(r, t, path, "pattern");
  if (std::string ignored; !protocol::topic_pattern::parse(route.pattern, ignored))
    r.expected(*t.get("pattern"), path + ".pattern",
               "an exact topic or a prefix ending in \"*\" (only as the last character)");
  route.behaviour = required_string(r, t, path, "behaviour");
  if (const auto* node = t.get("on_overflow")) {
    const auto* s = node->as_string();
    const auto policy = s ? parse_overflow_policy(s->get()) : std::nullopt;
    if (!policy)
      r.expected(*node, path + ".on_overflow", "one of close, drop_newest, drop_oldest");
    route.on_overflow = *policy;
  }
  route.options = t;
  route.options.insert_or_assign("on_overflow", std::string{to_string(route.on_overflow)});
  return route;
}

void read_routes(const reader& r, const toml::node& node, std::vector<route_config>& out) {
  const auto* array = node.as_array();
  if (array == nullptr)
    r.expected(node, "routes", "an array of tables ([[routes]])");
  for (std::size_t i = 0; i < array->size(); ++i) {
    const auto& element = *array->get(i);
    out.push_back(read_route(r, r.table(element, "routes[" + std::to_string(i) + "]"), i));
  }
}

config read_config(const reader& r, const toml::table& root) {
  config c;
  for (const auto& [k, v] : root) {
    const auto name = k.str();
    if (name == "listener")
      read_listener(r, r.table(v, name), c.listener);
    else if (name == "limits")
      read_limits(r, r.table(v, name), c.limits);
    else if (name == "runtime")
      read_runtime(r, r.table(v, name), c.runtime);
    else if (name == "routes")
      read_routes(r, v, c.routes);
    else
      r.unknown(k, {});
  }
  return c;
}

} // namespace

std::string_view to_string(overflow_policy p) noexcept {
  for (const auto& [policy, name] : overflow_names)
    if (policy == p)
      return name;
  return "close";
}

std::optional<overflow_policy> parse_overflow_policy(std::string_view name) noexcept {
  for (const auto& [policy, policy_name] : overflow_names)
    if (policy_name == name)
      return policy;
  return std::nullopt;
}

load_result parse_config(std::string_view toml_text, std::string_view source_name) {
  load_result result;
  try {
    const auto root = toml::parse(toml_text, std::string{source_name});
    result.value = read_config(reader{source_name}, root);
  } catch (const toml::parse_error& e) {
    result.error = std::string{source_name} + ':' + std::to_string(e.source().begin.line) + ": " +
                   std::string{e.description()};
  } catch (const config_error& e) {
    result.error = e.message;
  }
  return result;
}

load_result load_config_file(const std::string& path) {
  const auto unreadable = [&](int error) {
    load_result result;
    result.error = path + ": cannot read the file: " + std::generic_category().message(error);
    return result;
  };
  // stdio, not ifstream: a read error (EISDIR on a directory) must not pass as an empty file.
  const std::unique_ptr<std::FILE, int (*)(std::FILE*)> file{std::fopen(path.c_str(), "rb"),
                                                             &std::fclose};
  if (!file)
    return unreadable(errno);
  std::string text;
  std::array<char, 4096> buffer{};
  while (const auto n = std::fread(buffer.data(), 1, buffer.size(), file.get()))
    text.append(buffer.data(), n);
  if (std::ferror(file.get()))
    return unreadable(errno);
  return parse_config(text, path);
}

} // namespace switchboard::server

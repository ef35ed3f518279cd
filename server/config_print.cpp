// to_toml: the effective configuration printed back as TOML that parse_config accepts.

#include "server/config.hpp"

#include <array>
#include <charconv>
#include <cmath>
#include <sstream>

namespace switchboard::server {

namespace {

// Basic (double-quoted) single-line strings only, so the output reads the same whatever the
// values contain.
constexpr auto print_flags =
  toml::toml_formatter::default_flags &
  ~(toml::format_flags::allow_literal_strings | toml::format_flags::allow_multi_line_strings);

class printer {
public:
  void section(std::string_view header) {
    if (out_.tellp() > 0)
      out_ << '\n';
    out_ << header << '\n';
  }

  void entry(std::string_view key, std::string_view value) {
    out_ << key << " = " << toml::toml_formatter{toml::value<std::string>{value}, print_flags}
         << '\n';
  }

  void entry(std::string_view key, std::size_t value) { out_ << key << " = " << value << '\n'; }

  void entry(std::string_view key, std::chrono::milliseconds value) {
    out_ << key << " = " << value.count() << '\n';
  }

  void entry(std::string_view key, double value) { out_ << key << " = " << number(value) << '\n'; }

  /// A behaviour option: any TOML value, tables written inline so they stay inside the route.
  void option(std::string_view key, const toml::node& value) {
    out_ << quoted_key(key) << " = ";
    if (const auto* t = value.as_table()) {
      auto copy = *t;
      copy.is_inline(true);
      out_ << toml::toml_formatter{copy, print_flags};
    } else {
      value.visit([&](const auto& v) { out_ << toml::toml_formatter{v, print_flags}; });
    }
    out_ << '\n';
  }

  void comment(std::string_view text) { out_ << "# " << text << '\n'; }

  [[nodiscard]] std::string str() const { return out_.str(); }

private:
  /// Shortest text that reads back as the same double, always with a fraction or exponent so
  /// TOML keeps it a float.
  static std::string number(double value) {
    if (std::isnan(value))
      return "nan";
    if (std::isinf(value))
      return value > 0 ? "inf" : "-inf";
    std::array<char, 64> buffer{};
    const auto [end, ec] = std::to_chars(buffer.data(), buffer.data() + buffer.size(), value);
    std::string text(buffer.data(), ec == std::errc{} ? end : buffer.data());
    if (text.find_first_of(".e") == std::string::npos)
      text += ".0";
    return text;
  }

  static std::string quoted_key(std::string_view key) {
    const auto bare = !key.empty() && key.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                                            "abcdefghijklmnopqrstuvwxyz"
                                                            "0123456789_-") == key.npos;
    if (bare)
      return std::string{key};
    std::ostringstream out;
    out << toml::toml_formatter{toml::value<std::string>{key}, print_flags};
    return out.str();
  }

  std::ostringstream out_;
};

bool is_route_key(std::string_view key) {
  return key == "pattern" || key == "behaviour" || key == "on_overflow";
}

} // namespace

std::string to_toml(const config& c) {
  printer p;
  p.comment("Effective Switchboard configuration (see docs/configuration.md).");

  p.section("[listener]");
  p.entry("host", c.listener.host);
  p.entry("port", std::size_t{c.listener.port});
  p.entry("socket_path", c.listener.socket_path);

  // One flat table in the file, whichever layer's struct holds each limit.
  const auto& session = c.limits.session;
  const auto& accept = c.limits.accept;
  p.section("[limits]");
  p.entry("max_channels", c.limits.connection.max_channels);
  p.entry("max_frame_bytes", session.max_frame_bytes);
  p.entry("max_outbound_bytes", session.max_outbound_bytes);
  p.entry("max_outbound_control_bytes", session.max_outbound_control_bytes);
  p.entry("write_timeout_ms", session.write_timeout);
  p.entry("idle_timeout_ms", session.idle_timeout);
  p.entry("handshake_timeout_ms", accept.handshake_timeout);
  p.entry("max_connections", accept.max_connections);
  p.entry("max_http_connections", accept.max_http_connections);
  p.entry("messages_per_second", session.messages_per_second);
  p.entry("burst", session.burst);
  p.entry("rate_limit_close_after", session.rate_limit_close_after);
  p.entry("room_mailbox_limit", c.limits.room.mailbox_limit);

  p.section("[runtime]");
  p.entry("scheduler_threads", c.runtime.scheduler_threads);
  p.entry("io_threads", c.runtime.io_threads);
  p.entry("registry_partitions", c.runtime.registry_partitions);
  p.entry("memory_trim_interval_ms", c.runtime.memory_trim_interval);
  p.entry("log_level", c.runtime.log_level);

  for (const auto& route : c.routes) {
    p.section("[[routes]]");
    p.entry("pattern", route.pattern);
    p.entry("behaviour", route.behaviour);
    p.entry("on_overflow", to_string(route.on_overflow));
    for (const auto& [key, value] : route.options)
      if (!is_route_key(key.str()))
        p.option(key.str(), value);
  }
  return p.str();
}

} // namespace switchboard::server

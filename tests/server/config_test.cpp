#include "server/config.hpp"

#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <random>

using namespace std::chrono_literals;
namespace sb = switchboard::server;

namespace {

/// Parses `text` as "t.toml" and returns the error message ("" when it parsed).
std::string error_of(std::string_view text) {
  const auto r = sb::parse_config(text, "t.toml");
  CHECK(r.value.has_value() == r.error.empty());
  return r.error;
}

sb::config parsed(std::string_view text) {
  auto r = sb::parse_config(text, "t.toml");
  INFO(r.error);
  REQUIRE(r.value.has_value());
  return std::move(*r.value);
}

/// A file in the temp directory, removed at scope exit.
struct temp_file {
  std::filesystem::path path;
  explicit temp_file(std::string_view text) {
    path = std::filesystem::temp_directory_path() /
           ("switchboard_config_test_" + std::to_string(std::random_device{}()) + ".toml");
    std::ofstream{path} << text;
  }
  ~temp_file() { std::filesystem::remove(path); }
};

} // namespace

TEST_CASE("a default-constructed config holds the documented defaults") {
  const sb::config c;
  CHECK(c.listener.host == "127.0.0.1");
  CHECK(c.listener.port == 4000);
  CHECK(c.listener.socket_path == "/socket");
  CHECK(c.limits.connection.max_channels == 100);
  CHECK(c.limits.session.max_frame_bytes == 65536);
  CHECK(c.limits.session.max_outbound_bytes == 1048576);
  CHECK(c.limits.session.max_outbound_control_bytes == 4194304);
  CHECK(c.limits.session.write_timeout == 10s);
  CHECK(c.limits.session.idle_timeout == 60s);
  CHECK(c.limits.accept.handshake_timeout == 10s);
  CHECK(c.limits.accept.max_connections == 15000);
  CHECK(c.limits.accept.max_http_connections == 1024);
  CHECK(c.limits.session.messages_per_second == 100.0);
  CHECK(c.limits.session.burst == 200.0);
  CHECK(c.limits.session.rate_limit_close_after == 100);
  CHECK(c.limits.room.mailbox_limit == 10000);
  CHECK(c.runtime.scheduler_threads == 0);
  CHECK(c.runtime.io_threads == 1);
  CHECK(c.runtime.registry_partitions == 0);
  CHECK(c.runtime.memory_trim_interval == 2s);
  CHECK(c.runtime.log_level == "info");
  CHECK(c.routes.empty());
}

TEST_CASE("the embedded default TOML parses into the declared defaults and three routes") {
  const auto c = parsed(sb::default_config_toml());
  const sb::config defaults;
  CHECK(c.listener == defaults.listener);
  CHECK(c.limits == defaults.limits);
  CHECK(c.runtime == defaults.runtime);
  REQUIRE(c.routes.size() == 3);
  CHECK(c.routes[0].pattern == "room:*");
  CHECK(c.routes[0].behaviour == "broadcast");
  CHECK(c.routes[1].pattern == "echo:*");
  CHECK(c.routes[1].behaviour == "echo");
  CHECK(c.routes[2].pattern == "presence:*");
  CHECK(c.routes[2].behaviour == "broadcast");
  CHECK(c.routes[2].options["presence"].value<bool>() == true);
  CHECK(c.routes[2].options["presence_key"].value<std::string>() == "user_id");
  for (const auto& route : c.routes)
    CHECK(route.on_overflow == sb::overflow_policy::close);
}

TEST_CASE("default_config returns the parsed embedded TOML") {
  CHECK(sb::default_config() == parsed(sb::default_config_toml()));
}

TEST_CASE("an empty text keeps every default and has no routes") {
  CHECK(parsed("") == sb::config{});
}

TEST_CASE("keys in the text override their defaults and the others keep theirs") {
  const auto c = parsed(R"(
[listener]
host = "0.0.0.0"
port = 0
socket_path = "/ws/live"
[limits]
max_frame_bytes = 1024
idle_timeout_ms = 0
messages_per_second = 2.5
burst = 5
[runtime]
scheduler_threads = 4
log_level = "debug"
)");
  CHECK(c.listener.host == "0.0.0.0");
  CHECK(c.listener.port == 0);
  CHECK(c.listener.socket_path == "/ws/live");
  CHECK(c.limits.session.max_frame_bytes == 1024);
  CHECK(c.limits.session.idle_timeout == 0ms);
  CHECK(c.limits.session.messages_per_second == 2.5);
  CHECK(c.limits.session.burst == 5.0);
  CHECK(c.runtime.scheduler_threads == 4);
  CHECK(c.runtime.log_level == "debug");
  // untouched keys
  CHECK(c.limits.connection.max_channels == 100);
  CHECK(c.limits.session.write_timeout == 10s);
  CHECK(c.runtime.io_threads == 1);
}

TEST_CASE("a TOML syntax error names the source, the line and the parser's description") {
  const auto error = error_of("[limits]\nmax_channels = 3\nburst = \n");
  CHECK(error.starts_with("t.toml:3: "));
  CHECK(error.size() > std::string_view{"t.toml:3: "}.size());
}

TEST_CASE("a value of the wrong type names the line, the key and the value") {
  CHECK(error_of("# comment\n\n[listener]\nport = 1\n\n[limits]\nmax_frame_bytes = \"big\"\n") ==
        "t.toml:7: limits.max_frame_bytes: expected a positive integer, got \"big\"");
  CHECK(error_of("[listener]\nhost = 5\n") ==
        "t.toml:2: listener.host: expected a non-empty string, got 5");
  CHECK(error_of("[runtime]\nio_threads = 1.5\n") ==
        "t.toml:2: runtime.io_threads: expected a positive integer, got 1.5");
  CHECK(error_of("[limits]\nburst = \"lots\"\n") ==
        "t.toml:2: limits.burst: expected a positive number, got \"lots\"");
  CHECK(error_of("[limits]\nmax_channels = [1]\n") ==
        "t.toml:2: limits.max_channels: expected a positive integer, got an array");
}

TEST_CASE("integers out of their range are rejected with the offending value") {
  CHECK(error_of("[listener]\nport = 65536\n") ==
        "t.toml:2: listener.port: expected an integer in 0..65535, got 65536");
  CHECK(error_of("[listener]\nport = -1\n") ==
        "t.toml:2: listener.port: expected an integer in 0..65535, got -1");
  CHECK(error_of("[limits]\nmax_outbound_bytes = 0\n") ==
        "t.toml:2: limits.max_outbound_bytes: expected a positive integer, got 0");
  CHECK(error_of("[limits]\nidle_timeout_ms = -5\n") ==
        "t.toml:2: limits.idle_timeout_ms: expected a non-negative integer, got -5");
  CHECK(error_of("[runtime]\nregistry_partitions = -1\n") ==
        "t.toml:2: runtime.registry_partitions: expected an integer from 0 to 1024, got -1");
  CHECK(error_of("[runtime]\nregistry_partitions = 1025\n") ==
        "t.toml:2: runtime.registry_partitions: expected an integer from 0 to 1024, got 1025");
  CHECK(error_of("[listener]\nport = 65535\n[runtime]\nregistry_partitions = 0\n").empty());
}

TEST_CASE("the token bucket rate and burst must be finite and above zero") {
  CHECK(error_of("[limits]\nmessages_per_second = 0\n") ==
        "t.toml:2: limits.messages_per_second: expected a positive number, got 0");
  CHECK(error_of("[limits]\nburst = -1.5\n") ==
        "t.toml:2: limits.burst: expected a positive number, got -1.5");
  CHECK(error_of("[limits]\nburst = inf\n") ==
        "t.toml:2: limits.burst: expected a positive number, got inf");
  CHECK(error_of("[limits]\nmessages_per_second = 0.5\nburst = 1\n").empty());
}

TEST_CASE("the log level must be one of the listed names") {
  CHECK(error_of("[runtime]\nlog_level = \"loud\"\n") ==
        "t.toml:2: runtime.log_level: expected one of trace, debug, info, warn, error, off, "
        "got \"loud\"");
  for (const auto* level : {"trace", "debug", "info", "warn", "error", "off"})
    CHECK(parsed(std::string{"[runtime]\nlog_level = \""} + level + "\"\n").runtime.log_level ==
          level);
}

TEST_CASE("the socket path must start with a slash and not end with one") {
  const auto expected = [](std::string_view got) {
    return "t.toml:2: listener.socket_path: expected a path that starts with \"/\" and does not "
           "end with \"/\", got " +
           std::string{got};
  };
  CHECK(error_of("[listener]\nsocket_path = \"socket\"\n") == expected("\"socket\""));
  CHECK(error_of("[listener]\nsocket_path = \"/socket/\"\n") == expected("\"/socket/\""));
  CHECK(error_of("[listener]\nsocket_path = \"/\"\n") == expected("\"/\""));
  CHECK(error_of("[listener]\nsocket_path = \"\"\n") == expected("\"\""));
}

TEST_CASE("unknown keys in the sections and at the top level are errors naming the key") {
  CHECK(error_of("[limits]\nmax_channels = 5\nmax_frame_byte = 10\n") ==
        "t.toml:3: unknown key limits.max_frame_byte");
  CHECK(error_of("[listener]\nhostname = \"x\"\n") == "t.toml:2: unknown key listener.hostname");
  CHECK(error_of("\n[runtime]\nthreads = 2\n") == "t.toml:3: unknown key runtime.threads");
  CHECK(error_of("port = 4000\n") == "t.toml:1: unknown key port");
  CHECK(error_of("[limit]\nburst = 1\n") == "t.toml:1: unknown key limit");
}

TEST_CASE("a section that is not a table is an error") {
  CHECK(error_of("limits = 5\n") == "t.toml:1: limits: expected a table, got 5");
  CHECK(error_of("routes = 5\n") ==
        "t.toml:1: routes: expected an array of tables ([[routes]]), got 5");
  CHECK(error_of("routes = [1]\n") == "t.toml:1: routes[0]: expected a table, got 1");
}

TEST_CASE("unknown keys in a route are kept as behaviour options") {
  const auto c = parsed(R"(
[[routes]]
pattern = "room:lobby"
behaviour = "broadcast"
exclude_sender = true
history = { size = 50, ttl_ms = 1000 }
)");
  REQUIRE(c.routes.size() == 1);
  const auto& options = c.routes[0].options;
  CHECK(options["exclude_sender"].value<bool>() == true);
  CHECK(options["history"]["size"].value<std::int64_t>() == 50);
  // the whole table, with the route's own keys at their effective values
  CHECK(options["pattern"].value<std::string>() == "room:lobby");
  CHECK(options["behaviour"].value<std::string>() == "broadcast");
  CHECK(options["on_overflow"].value<std::string>() == "close");
}

TEST_CASE("a route needs a pattern and a behaviour, reported at its [[routes]] line") {
  CHECK(error_of("[[routes]]\npattern = \"a\"\nbehaviour = \"echo\"\n\n[[routes]]\n"
                 "behaviour = \"echo\"\n") ==
        "t.toml:5: routes[1].pattern: missing (every route needs a pattern and a behaviour)");
  CHECK(error_of("[[routes]]\npattern = \"a\"\n") ==
        "t.toml:1: routes[0].behaviour: missing (every route needs a pattern and a behaviour)");
  CHECK(error_of("[[routes]]\npattern = 3\nbehaviour = \"echo\"\n") ==
        "t.toml:2: routes[0].pattern: expected a non-empty string, got 3");
  CHECK(error_of("[[routes]]\npattern = \"a\"\nbehaviour = \"\"\n") ==
        "t.toml:3: routes[0].behaviour: expected a non-empty string, got \"\"");
}

TEST_CASE("a pattern is an exact topic or a prefix with its star as the last character") {
  CHECK(error_of("[[routes]]\npattern = \"room:*:x\"\nbehaviour = \"echo\"\n") ==
        "t.toml:2: routes[0].pattern: expected an exact topic or a prefix ending in \"*\" (only "
        "as the last character), got \"room:*:x\"");
  CHECK(!error_of("[[routes]]\npattern = \"**\"\nbehaviour = \"echo\"\n").empty());
  const auto c = parsed("[[routes]]\npattern = \"room:lobby\"\nbehaviour = \"echo\"\n"
                        "[[routes]]\npattern = \"*\"\nbehaviour = \"echo\"\n");
  REQUIRE(c.routes.size() == 2);
  CHECK(c.routes[0].pattern == "room:lobby");
  CHECK(c.routes[1].pattern == "*");
}

TEST_CASE("on_overflow accepts the three policy names and nothing else") {
  const auto c = parsed(R"(
[[routes]]
pattern = "a"
behaviour = "echo"
on_overflow = "drop_newest"
[[routes]]
pattern = "b"
behaviour = "echo"
on_overflow = "drop_oldest"
[[routes]]
pattern = "c"
behaviour = "echo"
on_overflow = "close"
)");
  REQUIRE(c.routes.size() == 3);
  CHECK(c.routes[0].on_overflow == sb::overflow_policy::drop_newest);
  CHECK(c.routes[1].on_overflow == sb::overflow_policy::drop_oldest);
  CHECK(c.routes[2].on_overflow == sb::overflow_policy::close);
  CHECK(error_of("[[routes]]\npattern = \"a\"\nbehaviour = \"echo\"\non_overflow = \"drop\"\n") ==
        "t.toml:4: routes[0].on_overflow: expected one of close, drop_newest, drop_oldest, got "
        "\"drop\"");
}

TEST_CASE("overflow policy names convert both ways") {
  for (const auto p : {sb::overflow_policy::close, sb::overflow_policy::drop_newest,
                       sb::overflow_policy::drop_oldest})
    CHECK(sb::parse_overflow_policy(sb::to_string(p)) == p);
  CHECK(sb::to_string(sb::overflow_policy::drop_oldest) == "drop_oldest");
  CHECK_FALSE(sb::parse_overflow_policy("Close").has_value());
}

TEST_CASE("routes keep their file order") {
  const auto c = parsed(R"(
[[routes]]
pattern = "z:*"
behaviour = "echo"
[[routes]]
pattern = "a:*"
behaviour = "broadcast"
[[routes]]
pattern = "m:exact"
behaviour = "echo"
[[routes]]
pattern = "*"
behaviour = "broadcast"
)");
  REQUIRE(c.routes.size() == 4);
  CHECK(c.routes[0].pattern == "z:*");
  CHECK(c.routes[1].pattern == "a:*");
  CHECK(c.routes[2].pattern == "m:exact");
  CHECK(c.routes[3].pattern == "*");
}

TEST_CASE("to_toml of the default config parses back to an equal config") {
  const auto c = sb::default_config();
  const auto text = sb::to_toml(c);
  INFO(text);
  CHECK(parsed(text) == c);
}

TEST_CASE("to_toml round-trips overrides, awkward floats and nested behaviour options") {
  const auto c = parsed(R"(
[listener]
host = "::"
port = 0
socket_path = "/a \"quoted\" path"
[limits]
messages_per_second = 0.1
burst = 3
idle_timeout_ms = 0
[runtime]
log_level = "off"
[[routes]]
pattern = "room:*"
behaviour = "broadcast"
on_overflow = "drop_oldest"
exclude_sender = true
"odd key" = 'literal \ string'
ratio = 0.30000000000000004
tags = ["a", "b"]
when = 1979-05-27T07:32:00Z
[routes.history]
size = 50
[routes.history.store]
kind = "memory"
[[routes.sinks]]
name = "one"
[[routes]]
pattern = "echo:x"
behaviour = "echo"
)");
  const auto text = sb::to_toml(c);
  INFO(text);
  const auto back = parsed(text);
  CHECK(back == c);
  CHECK(back.limits.session.messages_per_second == 0.1);
  CHECK(back.routes[0].options["history"]["store"]["kind"].value<std::string>() == "memory");
  CHECK(back.routes[0].options["sinks"][0]["name"].value<std::string>() == "one");
  CHECK(back.routes[0].options["odd key"].value<std::string>() == "literal \\ string");
}

TEST_CASE("to_toml prints every section and key with the effective values") {
  const auto text = sb::to_toml(sb::default_config());
  for (const auto* line :
       {"[listener]\n",
        "host = \"127.0.0.1\"\n",
        "port = 4000\n",
        "socket_path = \"/socket\"\n",
        "[limits]\n",
        "max_channels = 100\n",
        "max_frame_bytes = 65536\n",
        "max_outbound_bytes = 1048576\n",
        "max_outbound_control_bytes = 4194304\n",
        "write_timeout_ms = 10000\n",
        "idle_timeout_ms = 60000\n",
        "handshake_timeout_ms = 10000\n",
        "max_connections = 15000\n",
        "max_http_connections = 1024\n",
        "messages_per_second = 100.0\n",
        "burst = 200.0\n",
        "rate_limit_close_after = 100\n",
        "room_mailbox_limit = 10000\n",
        "[runtime]\n",
        "scheduler_threads = 0\n",
        "io_threads = 1\n",
        "registry_partitions = 0\n",
        "memory_trim_interval_ms = 2000\n",
        "log_level = \"info\"\n",
        "[[routes]]\npattern = \"presence:*\"\nbehaviour = \"broadcast\"\non_overflow = \"close\"\n"
        "presence = true\npresence_key = \"user_id\"\n"}) {
    INFO(line);
    CHECK(text.find(line) != std::string::npos);
  }
}

TEST_CASE("a config built in code prints as TOML that parses back to its values") {
  sb::config c;
  c.listener.port = 8080;
  c.limits.session.write_timeout = 250ms;
  c.limits.session.burst = 1e-3;
  c.routes.push_back({"t:*", "echo", {}, sb::overflow_policy::drop_newest});
  const auto back = parsed(sb::to_toml(c));
  CHECK(back.listener == c.listener);
  CHECK(back.limits == c.limits);
  REQUIRE(back.routes.size() == 1);
  CHECK(back.routes[0].pattern == "t:*");
  CHECK(back.routes[0].on_overflow == sb::overflow_policy::drop_newest);
}

TEST_CASE("load_config_file reads the file and names it in errors") {
  const temp_file good{"[listener]\nport = 4001\n"};
  const auto ok = sb::load_config_file(good.path.string());
  REQUIRE(ok.value.has_value());
  CHECK(ok.value->listener.port == 4001);

  const temp_file bad{"[limits]\nburst = 0\n"};
  const auto r = sb::load_config_file(bad.path.string());
  CHECK_FALSE(r.value.has_value());
  CHECK(r.error == bad.path.string() + ":2: limits.burst: expected a positive number, got 0");
}

TEST_CASE("an unreadable file is an error naming the path") {
  const auto missing = sb::load_config_file("/nonexistent/switchboard.toml");
  CHECK_FALSE(missing.value.has_value());
  CHECK(missing.error.starts_with("/nonexistent/switchboard.toml: cannot read the file: "));

  const auto dir = std::filesystem::temp_directory_path().string();
  const auto directory = sb::load_config_file(dir);
  CHECK_FALSE(directory.value.has_value());
  CHECK(directory.error.starts_with(dir + ": cannot read the file: "));
}

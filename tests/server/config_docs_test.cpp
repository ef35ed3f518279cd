// The defaults are declared once, in the layers' structs; the embedded default TOML,
// docs/configuration.md and docs/operations.md repeat them for readers. These specs hold each
// copy to the structs.

#include "server/config.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <fstream>
#include <map>
#include <sstream>
#include <vector>

namespace sb = switchboard::server;

namespace {

/// "section.key" → value text, for the `key = value` lines of a TOML text outside [[routes]].
std::map<std::string, std::string> section_values(const std::string& toml_text) {
  std::map<std::string, std::string> values;
  std::istringstream in{toml_text};
  std::string section;
  for (std::string line; std::getline(in, line);) {
    if (line.starts_with('['))
      section = line.starts_with("[[") ? "" : line.substr(1, line.find(']') - 1);
    else if (const auto eq = line.find(" = ");
             !section.empty() && eq != std::string::npos && !line.starts_with('#'))
      values[section + '.' + line.substr(0, eq)] = line.substr(eq + 3);
  }
  return values;
}

/// A TOML value as toml++ prints it, whatever its spelling in the source.
std::string formatted(const toml::node& node) {
  std::ostringstream out;
  node.visit([&](const auto& value) { out << toml::toml_formatter{value}; });
  return out.str();
}

std::string read_doc(const std::string& relative_path) {
  std::ifstream in{std::string{SWITCHBOARD_SOURCE_DIR} + '/' + relative_path};
  REQUIRE(in.good());
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

std::vector<std::string> split_cells(const std::string& row) {
  std::vector<std::string> cells;
  std::istringstream in{row};
  for (std::string cell; std::getline(in, cell, '|');)
    cells.push_back(cell);
  return cells;
}

/// The first `code span` in `text`, without its backticks ("" if there is none).
std::string first_code_span(const std::string& text) {
  const auto open = text.find('`');
  const auto close = open == std::string::npos ? open : text.find('`', open + 1);
  return close == std::string::npos ? "" : text.substr(open + 1, close - open - 1);
}

/// The cells of each row of the first table after the line `heading` in `doc`, header and
/// separator rows left out.
std::vector<std::vector<std::string>> table_rows(const std::string& doc,
                                                 const std::string& heading) {
  const auto at = doc.find('\n' + heading + '\n');
  REQUIRE(at != std::string::npos);
  std::istringstream in{doc.substr(at + heading.size() + 2)};
  std::vector<std::vector<std::string>> rows;
  std::string line;
  while (std::getline(in, line) && !line.starts_with('|')) {
  }
  for (int row = 0; in && line.starts_with('|'); ++row, std::getline(in, line))
    if (row >= 2)
      rows.push_back(split_cells(line));
  return rows;
}

/// "section.key" → the default column's code span, from docs/configuration.md's option table
/// under "## `[section]`" (| name | meaning | default | why |).
std::map<std::string, std::string> documented_defaults(const std::string& doc) {
  std::map<std::string, std::string> defaults;
  for (const auto* section : {"listener", "limits", "runtime"})
    for (const auto& cells : table_rows(doc, "## `[" + std::string{section} + "]`")) {
      REQUIRE(cells.size() >= 4);
      defaults[section + std::string{"."} + first_code_span(cells[1])] = first_code_span(cells[3]);
    }
  return defaults;
}

/// The TOML text of the default overflow policy, as the docs write it: "close" with its quotes.
std::string default_on_overflow() {
  return '"' + std::string{sb::to_string(sb::route_config{}.on_overflow)} + '"';
}

/// The body of the first ```toml block after `heading` in `doc`.
std::string toml_block_after(const std::string& doc, const std::string& heading) {
  const auto at = doc.find(heading);
  REQUIRE(at != std::string::npos);
  const auto open = doc.find("```toml\n", at);
  REQUIRE(open != std::string::npos);
  const auto body = open + std::string_view{"```toml\n"}.size();
  const auto close = doc.find("\n```", body);
  REQUIRE(close != std::string::npos);
  return doc.substr(body, close + 1 - body);
}

} // namespace

TEST_CASE("the embedded default TOML spells out every option at its struct default") {
  // Key for key and value for value, types included (100.0 is not 100), against what to_toml
  // prints for a default-constructed config.
  const auto embedded = toml::parse(sb::default_config_toml());
  const auto printed = toml::parse(sb::to_toml(sb::config{}));
  for (const auto* section : {"listener", "limits", "runtime"}) {
    REQUIRE(embedded[section].is_table());
    const auto& spelled = *embedded[section].as_table();
    const auto& declared = *printed[section].as_table();
    CHECK(spelled.size() == declared.size());
    for (const auto& [key, value] : declared) {
      const auto name = std::string{section} + '.' + std::string{key.str()};
      INFO(name);
      const auto* node = spelled.get(key.str());
      REQUIRE(node != nullptr);
      CHECK(node->type() == value.type());
      CHECK(formatted(*node) == formatted(value));
    }
  }
}

TEST_CASE("every default in the docs/configuration.md tables is the effective default") {
  const auto documented = documented_defaults(read_doc("docs/configuration.md"));
  const auto effective = section_values(sb::to_toml(sb::default_config()));
  CHECK(documented.size() == effective.size());
  for (const auto& [key, value] : effective) {
    INFO(key);
    REQUIRE(documented.contains(key));
    CHECK(documented.at(key) == value);
  }
}

TEST_CASE("the route default in docs/configuration.md is the effective on_overflow default") {
  std::size_t rows = 0;
  for (const auto& cells : table_rows(read_doc("docs/configuration.md"), "## Routes")) {
    REQUIRE(cells.size() >= 4);
    if (first_code_span(cells[1]) == "on_overflow") {
      ++rows;
      CHECK(first_code_span(cells[3]) == default_on_overflow());
    }
  }
  CHECK(rows == 1);
}

TEST_CASE(
  "every default in the docs/operations.md limits table is the effective configuration default") {
  const auto effective = section_values(sb::to_toml(sb::default_config()));
  std::size_t limits_keys = 0;
  for (const auto& cells : table_rows(read_doc("docs/operations.md"), "## Limits")) {
    REQUIRE(cells.size() >= 3);
    const auto key = first_code_span(cells[1]);
    const auto value = first_code_span(cells[2]);
    INFO(key);
    if (key == "on_overflow") {
      CHECK(value == default_on_overflow());
      continue;
    }
    ++limits_keys;
    REQUIRE(effective.contains("limits." + key));
    CHECK(effective.at("limits." + key) == value);
  }
  const auto effective_limits =
    std::count_if(effective.begin(), effective.end(),
                  [](const auto& entry) { return entry.first.starts_with("limits."); });
  CHECK(limits_keys == static_cast<std::size_t>(effective_limits));
}

TEST_CASE("docs/configuration.md reproduces the embedded default configuration verbatim") {
  CHECK(toml_block_after(read_doc("docs/configuration.md"), "## The default configuration") ==
        sb::default_config_toml());
}

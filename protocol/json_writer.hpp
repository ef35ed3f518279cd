#pragma once
/// Internal: appends JSON text to a std::string without intermediate documents, so an outbound
/// message is built in one buffer (one allocation in the common case).

#include <boost/json/value.hpp>

#include <string>
#include <string_view>

namespace switchboard::protocol::detail {

/// Appends `s` as a quoted JSON string. Escapes `"`, `\` and the control characters U+0000–U+001F
/// exactly as boost::json::serialize does; other bytes (UTF-8 included) are copied unchanged,
/// so `s` should be valid UTF-8.
void append_json_string(std::string& out, std::string_view s);

/// Appends the serialization of `v`: identical to boost::json::serialize(v), except that a
/// non-finite double (infinity, NaN), which JSON cannot express, is written as `null`, as
/// JavaScript's JSON.stringify does. The output is always valid JSON (RFC 8259) when every string
/// in `v` is valid UTF-8. Recursive: depth is bounded by the inbound decoder's limit for client
/// data; values built by behaviours should stay as shallow.
void append_json_value(std::string& out, const boost::json::value& v);

} // namespace switchboard::protocol::detail

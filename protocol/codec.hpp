#pragma once
/// Serializers for the Phoenix wire formats: V1 JSON objects, V2 JSON arrays, V2 binary frames
/// (docs/protocol.md §1.4 and §3). Pure functions, no I/O, safe from any thread.

#include "protocol/message.hpp"

#include <optional>
#include <string>
#include <string_view>

namespace switchboard::protocol {

/// Outcome of decoding one inbound frame: `msg` on success, otherwise `error` is a short
/// human-readable reason (used as the WebSocket close reason with code 1007, so keep it < 100
/// bytes).
struct decode_result {
  std::optional<message> msg;
  std::string error;
};

/// Decodes a client text frame. V2: a JSON array of at least 5 elements
/// [join_ref, ref, topic, event, payload] (extras ignored; topic and event must be strings;
/// join_ref/ref must be string or null). V1: a JSON object with the required keys topic, event,
/// payload, ref and optional join_ref (absent → null); other keys are ignored. The payload may be
/// any JSON value. Strict JSON (RFC 8259) with valid UTF-8 only; nesting deeper than 64 levels is
/// refused, and so is a number outside the double range (e.g. 1e999), which could not be written
/// back as JSON. Errors: "invalid JSON: <detail>", "number out of range", "V2 message must be a
/// JSON array", "V2 message must have at least 5 elements", "V1 message must be a JSON object", `V1
/// message is missing key "<key>"`, "<field> must be a string[ or null]".
[[nodiscard]] decode_result decode_text(serializer s, std::string_view text);

/// Decodes a client binary frame (V2 only; kind 0 = push is the only kind a client may send).
/// join_ref and ref become JSON strings (possibly empty), the rest of the frame becomes a
/// binary_payload. The four strings must be valid UTF-8, as in text frames, since they are echoed
/// back inside JSON. Errors: "binary frames require serializer V2", "empty binary frame",
/// "unknown binary kind <n>", "truncated binary frame header", "truncated binary frame",
/// "<field> is not valid UTF-8".
[[nodiscard]] decode_result decode_binary(serializer s, std::string_view bytes);

/// Encodes a server → client text message. For V2: `[join_ref, ref, topic, event, payload]`.
/// For V1: `{"topic":..,"event":..,"payload":..,"ref":..}` (never join_ref).
/// Output is compact JSON, byte-identical to boost::json::serialize of the equivalent document,
/// written into one string without copying the payload into a temporary document (linear in the
/// payload size; this runs once per serializer per broadcast). topic and event must be UTF-8.
[[nodiscard]] std::string encode_text(serializer s, const boost::json::value& join_ref,
                                      const boost::json::value& ref, std::string_view topic,
                                      std::string_view event, const boost::json::value& payload);

/// Encodes a `phx_reply` with payload `{"status": status, "response": response}`.
[[nodiscard]] std::string encode_reply(serializer s, const boost::json::value& join_ref,
                                       const boost::json::value& ref, std::string_view topic,
                                       std::string_view status, const boost::json::value& response);

/// V2 binary frames sent by the server (docs/protocol.md §3). Each length field is one byte, so
/// these return std::nullopt when any string exceeds 255 bytes.
[[nodiscard]] std::optional<std::string> encode_binary_push(std::string_view join_ref,
                                                            std::string_view topic,
                                                            std::string_view event,
                                                            std::string_view bytes);
[[nodiscard]] std::optional<std::string>
encode_binary_reply(std::string_view join_ref, std::string_view ref, std::string_view topic,
                    std::string_view status, std::string_view bytes);
[[nodiscard]] std::optional<std::string>
encode_binary_broadcast(std::string_view topic, std::string_view event, std::string_view bytes);

/// Parses the `vsn` query value: absent → v1; semantic version 1.0.x → v1; 2.0.x → v2;
/// anything else (3.0.0, "2", 2.1.0, garbage) → nullopt (the handshake answers HTTP 403).
/// Same outcome as Phoenix (Elixir's Version.parse/1, then Version.match?/2 with its default
/// allow_pre: true against "~> 1.0.0" and "~> 2.0.0"): no leading zeros, build metadata
/// ("2.0.0+b1") ignored, a pre-release above x.0.0 ("2.0.1-rc.1") matches, while "2.0.0-rc.1"
/// sorts below 2.0.0 and is refused.
[[nodiscard]] std::optional<serializer> negotiate_serializer(std::optional<std::string_view> vsn);

} // namespace switchboard::protocol

#pragma once
/// Reading the fields of a client's payload in a channel callback, Phoenix-style:
///
///     auto body = sb::required<std::string>(p, "body");        // or the client gets an error
///     auto typing = sb::field<bool>(p, "typing").value_or(true); // optional, with a default
///
/// `required` throws `bad_request`, which the room answers instead of treating it as a crash:
/// a join is refused with {"reason": what()}, a handle_in message gets the error reply
/// {"reason": what()}. The reasons name the field ("body required", "body must be a string").
///
/// Supported types: std::string, std::string_view (a view into the payload, valid during the
/// callback), bool, std::int64_t, double (integers convert), boost::json::object,
/// boost::json::array and boost::json::value. A binary payload or a JSON payload that is not an
/// object has no fields.

#include "protocol/message.hpp"

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>

namespace switchboard::actors {

/// A client's message the channel refuses; the room answers it with {"reason": what()}.
class bad_request : public std::runtime_error {
public:
  using std::runtime_error::runtime_error;
};

namespace detail {

inline const boost::json::value* find_field(const protocol::payload& p, std::string_view key) {
  const auto* json = std::get_if<boost::json::value>(&p);
  const auto* object = json ? json->if_object() : nullptr;
  return object ? object->if_contains(key) : nullptr;
}

template <class T>
std::optional<T> convert(const boost::json::value& v) {
  if constexpr (std::is_same_v<T, std::string>) {
    if (const auto* s = v.if_string())
      return std::string{s->data(), s->size()};
  } else if constexpr (std::is_same_v<T, std::string_view>) {
    if (const auto* s = v.if_string())
      return std::string_view{s->data(), s->size()};
  } else if constexpr (std::is_same_v<T, bool>) {
    if (const auto* b = v.if_bool())
      return *b;
  } else if constexpr (std::is_same_v<T, std::int64_t>) {
    if (const auto* i = v.if_int64())
      return *i;
    if (const auto* u = v.if_uint64(); u && *u <= static_cast<std::uint64_t>(INT64_MAX))
      return static_cast<std::int64_t>(*u);
  } else if constexpr (std::is_same_v<T, double>) {
    if (v.is_number())
      return v.to_number<double>();
  } else if constexpr (std::is_same_v<T, boost::json::object>) {
    if (const auto* o = v.if_object())
      return *o;
  } else if constexpr (std::is_same_v<T, boost::json::array>) {
    if (const auto* a = v.if_array())
      return *a;
  } else {
    static_assert(std::is_same_v<T, boost::json::value>, "unsupported field type");
    return v;
  }
  return std::nullopt;
}

template <class T>
constexpr const char* type_name() {
  if constexpr (std::is_same_v<T, std::string> || std::is_same_v<T, std::string_view>)
    return "a string";
  else if constexpr (std::is_same_v<T, bool>)
    return "a boolean";
  else if constexpr (std::is_same_v<T, std::int64_t>)
    return "an integer";
  else if constexpr (std::is_same_v<T, double>)
    return "a number";
  else if constexpr (std::is_same_v<T, boost::json::object>)
    return "an object";
  else if constexpr (std::is_same_v<T, boost::json::array>)
    return "an array";
  else
    return "a value";
}

} // namespace detail

/// The field `key` of `p` as a T; nullopt when absent or of another type.
template <class T>
[[nodiscard]] std::optional<T> field(const protocol::payload& p, std::string_view key) {
  const auto* v = detail::find_field(p, key);
  return v ? detail::convert<T>(*v) : std::nullopt;
}

/// The field `key` of `p` as a T; throws bad_request "<key> required" when absent (or null)
/// and "<key> must be <type>" when of another type.
template <class T>
[[nodiscard]] T required(const protocol::payload& p, std::string_view key) {
  const auto* v = detail::find_field(p, key);
  if (!v || v->is_null())
    throw bad_request(std::string{key} + " required");
  auto x = detail::convert<T>(*v);
  if (!x)
    throw bad_request(std::string{key} + " must be " + detail::type_name<T>());
  return std::move(*x);
}

} // namespace switchboard::actors

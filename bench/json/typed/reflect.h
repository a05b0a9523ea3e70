// Generic helpers over Boost.Describe'd message structs, shared by every typed
// codec so that no codec is written once per struct, and by validation: walk()
// reports a decoded struct exactly as the reference parser reports its wire
// form (messages.h), so a decode is checked with the same DeepStats as a parse.
#pragma once

#include <boost/describe/members.hpp>
#include <boost/describe/modifiers.hpp>
#include <boost/mp11/algorithm.hpp>
#include <boost/mp11/integral.hpp>

#include <array>
#include <cstdint>
#include <limits>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

namespace hotbench::json::typed {

// The same member list Boost.JSON's value_to/value_from use, so every codec
// agrees on which members exist.
template <class T>
using members_of = boost::describe::describe_members<T, boost::describe::mod_public | boost::describe::mod_inherited>;

template <class T>
concept Described = std::is_class_v<T> && !std::is_union_v<T> && boost::describe::has_describe_members<T>::value;

template <Described T>
constexpr std::size_t member_count = boost::mp11::mp_size<members_of<T>>::value;

// Calls f(descriptor) for every member in declaration order; the descriptor
// has `name` (const char*) and `pointer` (pointer to member).
template <Described T, class F>
constexpr void for_each_member(F&& f) {
  boost::mp11::mp_for_each<members_of<T>>(f);
}

// Member names in declaration order, for codecs that dispatch on a key.
template <Described T>
constexpr auto member_names = [] {
  std::array<std::string_view, member_count<T>> names{};
  std::size_t i = 0;
  for_each_member<T>([&](auto member) { names[i++] = member.name; });
  return names;
}();

// The index of the member called `key`, or member_count<T> when there is none.
template <Described T>
constexpr std::size_t member_index(std::string_view key) {
  std::size_t i = 0;
  while (i < member_count<T> && member_names<T>[i] != key) ++i;
  return i;
}

// Calls f(descriptor) for the member at a run-time index (a switch, not a
// search), so a codec can dispatch on a key it has just read.
template <Described T, class F>
void visit_member(std::size_t index, F&& f) {
  boost::mp11::mp_with_index<member_count<T>>(index, [&](auto i) { f(boost::mp11::mp_at_c<members_of<T>, i>{}); });
}

template <class T>
struct is_optional : std::false_type {};
template <class T>
struct is_optional<std::optional<T>> : std::true_type {};
template <class T>
constexpr bool is_optional_v = is_optional<T>::value;

template <class T>
struct is_vector : std::false_type {};
template <class T, class A>
struct is_vector<std::vector<T, A>> : std::true_type {};
template <class T>
constexpr bool is_vector_v = is_vector<T>::value;

// bool is integral in C++ but a different JSON type.
template <class T>
concept Integer = std::is_integral_v<T> && !std::is_same_v<T, bool>;

template <class>
constexpr bool unsupported_member_type = false;

// What a codec throws on input that does not fit the struct; the message names
// the member where it can.
struct DecodeError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

[[noreturn]] inline void throw_wrong_type(std::string_view member, std::string_view expected) {
  throw DecodeError("member '" + std::string(member) + "': expected " + std::string(expected));
}

// For codecs that read an object's keys in document order: every member
// exactly once, nothing else. Keys may come in any order, as JSON allows.
template <Described T>
class MemberSet {
 public:
  // The index of `key`'s member; throws on a key that is unknown or repeated.
  std::size_t see(std::string_view key) {
    std::size_t i = member_index<T>(key);
    if (i == member_count<T>) throw DecodeError("unknown member '" + std::string(key) + "'");
    if (seen_[i]) throw DecodeError("duplicate member '" + std::string(key) + "'");
    seen_[i] = true;
    return i;
  }
  void expect_all() const {
    for (std::size_t i = 0; i < member_count<T>; ++i)
      if (!seen_[i]) throw DecodeError("missing member '" + std::string(member_names<T>[i]) + "'");
  }

 private:
  std::array<bool, member_count<T>> seen_{};
};

// Libraries hand out integers as 64-bit values; a narrower member must reject
// what does not fit instead of silently truncating it.
template <Integer I>
I narrow_integer(std::uint64_t v, std::string_view member) {
  if (v > static_cast<std::uint64_t>(std::numeric_limits<I>::max()))
    throw DecodeError("member '" + std::string(member) + "': integer " + std::to_string(v) + " is out of range");
  return static_cast<I>(v);
}

template <Integer I>
I narrow_integer(std::int64_t v, std::string_view member) {
  if (!std::in_range<I>(v))
    throw DecodeError("member '" + std::string(member) + "': integer " + std::to_string(v) + " is out of range");
  return static_cast<I>(v);
}

// Reports `value` to a stats.h visitor as the reference parser would report
// its wire form.
template <class T, class V>
void walk(const T& value, V& v) {
  if constexpr (Described<T>) {
    v.begin_object();
    for_each_member<T>([&](auto member) {
      v.key(member.name);
      walk(value.*member.pointer, v);
    });
    v.end_object(member_count<T>);
  } else if constexpr (is_optional_v<T>) {
    if (value)
      walk(*value, v);
    else
      v.null();
  } else if constexpr (is_vector_v<T>) {
    static_assert(!std::is_same_v<typename T::value_type, bool>, "std::vector<bool> has no references to walk");
    v.begin_array();
    for (const auto& element : value) walk(element, v);
    v.end_array(value.size());
  } else if constexpr (std::is_same_v<T, std::string>) {
    v.string(value);
  } else if constexpr (std::is_same_v<T, bool>) {
    v.boolean(value);
  } else if constexpr (Integer<T> && std::is_unsigned_v<T>) {
    v.uint64(value);
  } else if constexpr (Integer<T>) {
    v.int64(value);
  } else if constexpr (std::is_same_v<T, double>) {
    v.dbl(value);
  } else {
    static_assert(unsupported_member_type<T>, "walk() has no JSON form for this member type");
  }
}

}  // namespace hotbench::json::typed

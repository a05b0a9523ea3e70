// The serial suite's contract with its format adapters.
//
// A format adapter maps between the hotbench message structs (bench/json/typed/messages.h: Order,
// UserProfile, Event, the same values the JSON suite's typed tasks use) and one binary format. It
// owns only library calls; the suite's cases (cases.h) own timing, checking and counters. Mapping
// to and from the application's own struct is part of every figure: that is the cost an
// application pays, given its struct, whatever the format's generated types look like.
//
// Adapter (T is Order, UserProfile or Event; encode/decode also take Batch<T>, below):
//
//   class Format {
//    public:
//     template <class T> void encode(const T& in, std::string& out);   // the struct -> bytes
//                                               // (out replaced; its capacity may be reused)
//     template <class T> void decode(std::string_view bytes, T& out);  // bytes -> every field of a
//                                               // fresh T; throws on bytes that are not a T
//     template <class T> bool validate(std::string_view bytes);        // untrusted bytes: true when
//                                               // decode/access may read them safely; never throws,
//                                               // never reads out of bounds, on any input
//     // optional, zero-copy formats:
//     template <class T> void partial_read(std::string_view batch, std::vector<Stamp>& out);
//                                               // the Stamp of every message of an encoded
//                                               // Batch<T>, read without decoding the rest
//     template <class T, class V> void access(std::string_view bytes, V& v);
//                                               // every field of the T in `bytes`, read through
//                                               // the format's own accessors and reported to v
//                                               // exactly as visit() (below) reports the struct
//                                               // (V: Fingerprint, Touch or Trace)
//   };
//
// Registration, at the end of the adapter's file (formats/<format>.cpp):
//
//   HOTBENCH_REGISTER(protobuf) {
//     add_format<Protobuf>("protobuf");              // serial/<task>/protobuf/<dataset>
//     add_format<ProtobufArena>("protobuf", "arena");  // serial/<task>/protobuf:arena/<dataset>
//   }
//
// plus the package's rows in cmake/dependencies.tsv (needed_by serial) and, for a format with a
// schema, its schema in schemas/ (suite.cmake compiles it; the generated headers are on the
// include path).
//
// What is checked before any figure (cases.h), with no test to edit:
// - decode(encode(x)) == x member by member, doubles bit for bit, absent optionals distinct from
//   present empty ones, for every message of the file (first_difference names the first
//   difference: "orders line 17: items[2].discount: 0.15 != 0.1 (decoded != reference)");
// - validate accepts every valid encoding;
// - partial_read returns the reference's stamps; access reports what visit() reports for the
//   reference (a fingerprint; on a mismatch, the first differing field is named).
// The reference is the message decoded from the JSON line with Boost.JSON's value_to, which the
// JSON suite checks against its own reference parser: every format describes the same values.
#pragma once

#include <cstdint>
#include <cstdio>
#include <cstring>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <vector>

#include "../harness/case.h"
#include "../harness/mix64.h"
#include "../harness/registry.h"
#include "../json/typed/messages.h"
#include "../json/typed/reflect.h"

namespace hotbench::serial {

namespace typed = hotbench::json::typed;
using typed::Event;
using typed::Order;
using typed::UserProfile;

// partial_read's "large message": every message of a data file in one message with one repeated
// field (300 messages, about 0.5-0.8 MB in the generated corpus), as a log segment or a batch
// response holds them.
template <class T>
struct Batch {
  std::vector<T> messages;
};

// partial_read's "two fields": the id and the timestamp of each message of the batch, as an index
// over a log segment reads them. A full decoder pays the full parse for them; FlatBuffers and Cap'n
// Proto read them in place.
struct Stamp {
  std::uint64_t id = 0;
  std::int64_t time_ms = 0;
  bool operator==(const Stamp&) const = default;
};
inline std::int64_t time_of(const Order& m) { return m.created_at_ms; }
inline std::int64_t time_of(const UserProfile& m) { return m.created_at_ms; }
inline std::int64_t time_of(const Event& m) { return m.ts_ms; }
template <class T>
Stamp stamp_of(const T& m) {
  return {m.id, time_of(m)};
}

// --- visit: every field in declaration order, for access and its check --------------------------

// Reports a struct to a visitor V (Fingerprint, Trace): integers as u64 (unsigned) or i64
// (signed), doubles as f64, bool, strings as text, a vector as its size then its elements, an
// optional as present(bool) then its value when present. An adapter's access() reports the bytes
// in the same order through the format's accessors.
template <class V, class T>
void visit(const T& value, V& v) {
  if constexpr (typed::Described<T>) {
    typed::for_each_member<T>([&](auto member) { visit(value.*member.pointer, v); });
  } else if constexpr (typed::is_optional_v<T>) {
    v.present(value.has_value());
    if (value) visit(*value, v);
  } else if constexpr (typed::is_vector_v<T>) {
    v.size(value.size());
    for (const auto& element : value) visit(element, v);
  } else if constexpr (std::is_same_v<T, std::string>) {
    v.text(value);
  } else if constexpr (std::is_same_v<T, bool>) {
    v.boolean(value);
  } else if constexpr (typed::Integer<T> && std::is_unsigned_v<T>) {
    v.u64(value);
  } else if constexpr (typed::Integer<T>) {
    v.i64(value);
  } else if constexpr (std::is_same_v<T, double>) {
    v.f64(value);
  } else {
    static_assert(typed::unsupported_member_type<T>, "visit() has no form for this member type");
  }
}

// A hash of everything visited, in order: what access rows compute (so they touch every field) and
// what their check compares with the reference's.
class Fingerprint {
 public:
  void u64(std::uint64_t x) { add(1, x); }
  void i64(std::int64_t x) { add(2, static_cast<std::uint64_t>(x)); }
  void f64(double x) {
    std::uint64_t bits;
    std::memcpy(&bits, &x, sizeof bits);
    add(3, bits);
  }
  void boolean(bool x) { add(4, x); }
  void text(std::string_view s) {
    add(5, s.size());
    std::uint64_t word = 0;
    std::size_t i = 0;
    for (; i + 8 <= s.size(); i += 8) {
      std::memcpy(&word, s.data() + i, 8);
      h_ = mix64(h_ ^ word);
    }
    word = 0;
    if (i < s.size()) std::memcpy(&word, s.data() + i, s.size() - i);  // an empty view may hold null
    h_ = mix64(h_ ^ word);
  }
  void size(std::uint64_t n) { add(6, n); }
  void present(bool p) { add(7, p); }
  std::uint64_t value() const { return h_; }

 private:
  void add(std::uint64_t tag, std::uint64_t x) { h_ = mix64(h_ ^ mix64(x + tag)); }
  std::uint64_t h_ = 0x9e3779b97f4a7c15ULL;
};

// What the timed access rows fold every field into: each value and every 8 bytes of each string
// added up, about the cost of copying them (as a decode does), where Fingerprint's mixing would
// cost more than the read itself. The check uses Fingerprint.
class Touch {
 public:
  void u64(std::uint64_t x) { sum_ += x; }
  void i64(std::int64_t x) { sum_ += static_cast<std::uint64_t>(x); }
  void f64(double x) {
    std::uint64_t bits;
    std::memcpy(&bits, &x, sizeof bits);
    sum_ += bits;
  }
  void boolean(bool x) { sum_ += x; }
  void text(std::string_view s) {
    std::uint64_t word = 0;
    std::size_t i = 0;
    for (; i + 8 <= s.size(); i += 8) {
      std::memcpy(&word, s.data() + i, 8);
      sum_ += word;
    }
    word = 0;
    if (i < s.size()) std::memcpy(&word, s.data() + i, s.size() - i);  // an empty view may hold null
    sum_ += word + s.size();
  }
  void size(std::uint64_t n) { sum_ += n; }
  void present(bool p) { sum_ += p; }
  std::uint64_t value() const { return sum_; }

 private:
  std::uint64_t sum_ = 0;
};

// The same events as text, one per field: only when fingerprints differ, to name the first
// difference.
class Trace {
 public:
  void u64(std::uint64_t x) { events.push_back("u64 " + std::to_string(x)); }
  void i64(std::int64_t x) { events.push_back("i64 " + std::to_string(x)); }
  void f64(double x) {
    char buf[40];
    std::snprintf(buf, sizeof buf, "f64 %.17g", x);
    events.push_back(buf);
  }
  void boolean(bool x) { events.push_back(x ? "bool true" : "bool false"); }
  void text(std::string_view s) { events.push_back("text \"" + std::string(s.substr(0, 40)) + "\""); }
  void size(std::uint64_t n) { events.push_back("size " + std::to_string(n)); }
  void present(bool p) { events.push_back(p ? "present" : "absent"); }
  std::vector<std::string> events;
};

template <class T>
std::uint64_t fingerprint_of(const T& message) {
  Fingerprint f;
  visit(message, f);
  return f.value();
}

// --- equality with the first difference named ---------------------------------------------------

namespace detail {
inline std::string shown(const std::string& s) {
  std::string out(1, '"');
  out.append(s, 0, 40).append(s.size() > 40 ? "...\"" : "\"");
  return out.append(" (").append(std::to_string(s.size())).append(" bytes)");
}
inline std::string shown(double x) {
  char buf[40];
  std::snprintf(buf, sizeof buf, "%.17g", x);
  return buf;
}
inline std::string shown(bool x) { return x ? "true" : "false"; }
template <class I>
  requires std::is_integral_v<I>
std::string shown(I x) {
  return std::to_string(x);
}
inline std::string at(const std::string& path, const char* member) {
  return path.empty() ? member : path + "." + member;
}
}  // namespace detail

// Whether `got` equals `want` member by member, doubles bit for bit (so -0.0 != 0.0 and a NaN equals
// itself only with the same bits). Every check of a round trip runs this on a whole batch and finds it
// equal: first_difference builds its member paths only below a difference.
template <class T>
bool same_bits(const T& got, const T& want) {
  if constexpr (typed::Described<T>) {
    bool same = true;
    typed::for_each_member<T>([&](auto member) {
      same = same && same_bits(got.*member.pointer, want.*member.pointer);
    });
    return same;
  } else if constexpr (typed::is_optional_v<T>) {
    return got.has_value() == want.has_value() && (!got || same_bits(*got, *want));
  } else if constexpr (typed::is_vector_v<T>) {
    if (got.size() != want.size()) return false;
    for (std::size_t i = 0; i < got.size(); ++i)
      if (!same_bits(got[i], want[i])) return false;
    return true;
  } else if constexpr (std::is_same_v<T, double>) {
    return std::memcmp(&got, &want, sizeof got) == 0;
  } else {
    return got == want;
  }
}

// "" when same_bits(got, want); otherwise where and how they first differ:
// "items[2].discount: 0.15 != 0.1 (decoded != reference)". `path` prefixes the member names.
template <class T>
std::string first_difference(const T& got, const T& want, const std::string& path = "") {
  if (same_bits(got, want)) return "";
  const std::string where = path.empty() ? "" : path + ": ";
  if constexpr (typed::Described<T>) {
    std::string found;
    typed::for_each_member<T>([&](auto member) {
      if (found.empty() && !same_bits(got.*member.pointer, want.*member.pointer))
        found = first_difference(got.*member.pointer, want.*member.pointer, detail::at(path, member.name));
    });
    return found;
  } else if constexpr (typed::is_optional_v<T>) {
    if (got.has_value() != want.has_value())
      return where + (got ? "present" : "absent") + " != " + (want ? "present" : "absent") +
             " (decoded != reference)";
    return first_difference(*got, *want, path);
  } else if constexpr (typed::is_vector_v<T>) {
    if (got.size() != want.size())
      return where + "size " + std::to_string(got.size()) + " != " + std::to_string(want.size()) +
             " (decoded != reference)";
    for (std::size_t i = 0; i < got.size(); ++i)
      if (!same_bits(got[i], want[i])) return first_difference(got[i], want[i], path + "[" + std::to_string(i) + "]");
    return "";
  } else {
    return where + detail::shown(got) + " != " + detail::shown(want) + " (decoded != reference)";
  }
}

template <class T>
std::string first_difference(const Batch<T>& got, const Batch<T>& want, const std::string& path = "") {
  return first_difference(got.messages, want.messages, path.empty() ? "messages" : path + ".messages");
}

// --- what an adapter can do ----------------------------------------------------------------------

template <class F, class T>
concept HasPartialRead = requires(F& f, std::string_view bytes, std::vector<Stamp>& out) {
  f.template partial_read<T>(bytes, out);
};
template <class F, class T>
concept HasAccess = requires(F& f, std::string_view bytes, Fingerprint& v) { f.template access<T>(bytes, v); };

// --- the registry ---------------------------------------------------------------------------------

// A format as the tests see it, for one message kind: the adapter behind a virtual interface
// (the timed cases call the adapter directly; see cases.h).
template <class T>
class AnyFormat {
 public:
  virtual ~AnyFormat() = default;
  virtual void encode(const T& in, std::string& out) = 0;
  virtual void decode(std::string_view bytes, T& out) = 0;
  virtual bool validate(std::string_view bytes) = 0;
  virtual void encode_batch(const Batch<T>& in, std::string& out) = 0;
  // The adapter's own partial_read, or the full decode of the batch when it has none.
  virtual void partial_read(std::string_view batch, std::vector<Stamp>& out) = 0;
  virtual bool has_access() const = 0;
  // access() into a Fingerprint or a Trace; only when has_access().
  virtual std::uint64_t access(std::string_view bytes) = 0;
  virtual std::vector<std::string> trace(std::string_view bytes) = 0;
};

// The adapter alone (compression "none") or wrapped in a codec of compression.h ("zstd", "lz4").
template <class T>
using AnyFormatMaker = std::function<std::unique_ptr<AnyFormat<T>>(const std::string& compression)>;

struct Format {
  std::string name;  // library or library:variant, as in the rows' names
  std::string library;
  std::string variant;
  bool access = false;  // the adapter has access() (and rows of the task access)
  // The case of a task on a data file (its kind read from the file's name), with a codec of
  // compression.h or "none"; null when the task does not apply to this format.
  std::function<CaseFactory(const std::string& task, const std::string& path, const std::string& compression)>
      for_task;
  std::tuple<AnyFormatMaker<Order>, AnyFormatMaker<UserProfile>, AnyFormatMaker<Event>> makers;

  template <class T>
  std::unique_ptr<AnyFormat<T>> make(const std::string& compression = "none") const {
    return std::get<AnyFormatMaker<T>>(makers)(compression);
  }
};

Registry<Format>& formats();

// Registers an adapter (its definition is in cases.h, which adapters include).
template <class F>
void add_format(std::string library, std::string variant = "");

}  // namespace hotbench::serial

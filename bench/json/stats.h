// Traversal statistics: what every parse benchmark computes over the document
// it built, and what validation compares against the reference parser.
//
// A walker (the reference parser, or an adapter over its library's document)
// reports every value to a visitor through this interface:
//   begin_object() / key(k) value ... / end_object(members)
//   begin_array()  / value ...        / end_array(elements)
//   string(s) int64(i) uint64(u) dbl(d) boolean(b) null()
// Strings are decoded UTF-8. uint64() is for values above INT64_MAX only; a
// walker may also pass smaller ones, which count as the same int64 value, since
// libraries differ in which of the two types they pick for a positive integer.
#pragma once

#include <algorithm>
#include <bit>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace hotbench::json {

inline std::uint64_t mix64(std::uint64_t x) {  // splitmix64 finalizer
  x ^= x >> 30;
  x *= 0xbf58476d1ce4e5b9ULL;
  x ^= x >> 27;
  x *= 0x94d049bb133111ebULL;
  x ^= x >> 31;
  return x;
}

// A number as validation sees it: integers exactly, doubles by bit pattern.
struct NumberKey {
  enum Kind : std::uint8_t { kInt = 1, kUint = 2, kDouble = 3 };
  Kind kind;
  std::uint64_t bits;
  auto operator<=>(const NumberKey&) const = default;
  std::uint64_t hash() const { return mix64(bits ^ (std::uint64_t{kind} << 56) ^ kind); }

  static NumberKey of_int(std::int64_t v) { return {kInt, static_cast<std::uint64_t>(v)}; }
  static NumberKey of_uint(std::uint64_t v) {
    return v <= static_cast<std::uint64_t>(INT64_MAX) ? NumberKey{kInt, v} : NumberKey{kUint, v};
  }
  static NumberKey of_double(double v) { return {kDouble, std::bit_cast<std::uint64_t>(v)}; }
};

// The statistics the issue defines; cheap enough to compute inside the timed
// region of every parse benchmark.
struct Stats {
  std::uint64_t objects = 0, arrays = 0, strings = 0, numbers = 0;
  std::uint64_t trues = 0, falses = 0, nulls = 0;
  std::uint64_t members = 0, elements = 0;
  std::uint64_t string_bytes = 0;  // decoded bytes of string values and keys
  std::uint64_t max_depth = 0;
  std::uint64_t number_hash = 0;  // order-independent: sum of NumberKey hashes

  bool operator==(const Stats&) const = default;
  std::string diff(const Stats& expected) const;  // "objects: expected 3, got 2; ..."
  void add(const Stats& other);                    // for multi-document datasets
};

class StatsVisitor {
 public:
  Stats stats;

  void begin_object() { enter(); ++stats.objects; }
  void end_object(std::size_t members) { --depth_; stats.members += members; }
  void begin_array() { enter(); ++stats.arrays; }
  void end_array(std::size_t elements) { --depth_; stats.elements += elements; }
  void key(std::string_view k) { stats.string_bytes += k.size(); }
  void string(std::string_view s) { ++stats.strings; stats.string_bytes += s.size(); }
  void int64(std::int64_t v) { number(NumberKey::of_int(v)); }
  void uint64(std::uint64_t v) { number(NumberKey::of_uint(v)); }
  void dbl(double v) { number(NumberKey::of_double(v)); }
  void boolean(bool b) { ++(b ? stats.trues : stats.falses); }
  void null() { ++stats.nulls; }

 protected:
  void number(NumberKey n) { ++stats.numbers; stats.number_hash += n.hash(); }

 private:
  void enter() { stats.max_depth = std::max<std::uint64_t>(stats.max_depth, ++depth_); }
  std::uint64_t depth_ = 0;
};

// Everything Stats has, plus what it takes to prove two documents equal:
// a hash of all string contents, a structural hash of the whole tree (arrays
// ordered, object members unordered, as JSON means them), and the numbers
// themselves, so a mismatch can be counted. Used for validation only.
struct DeepStats {
  Stats stats;
  std::uint64_t string_hash = 0;
  std::uint64_t tree_hash = 0;
  std::vector<NumberKey> numbers;  // sorted after finish()

  void add(const DeepStats& other);
};

class DeepVisitor {
 public:
  void begin_object() { base_.begin_object(); frames_.push_back({true, 0x0b1ec7, 0, 0}); }
  void end_object(std::size_t members) { base_.end_object(members); close(members); }
  void begin_array() { base_.begin_array(); frames_.push_back({false, 0xa11a7, 0, 0}); }
  void end_array(std::size_t elements) { base_.end_array(elements); close(elements); }
  void key(std::string_view k) {
    base_.key(k);
    std::uint64_t h = hash_bytes(k);
    string_hash_ += mix64(h ^ 0x6b6579);
    frames_.back().key = h;
  }
  void string(std::string_view s) {
    base_.string(s);
    std::uint64_t h = hash_bytes(s);
    string_hash_ += mix64(h);
    leaf(mix64(h ^ 0x5757));
  }
  void int64(std::int64_t v) { number(NumberKey::of_int(v)); }
  void uint64(std::uint64_t v) { number(NumberKey::of_uint(v)); }
  void dbl(double v) { number(NumberKey::of_double(v)); }
  void boolean(bool b) { base_.boolean(b); leaf(b ? 0x7777 : 0xfa15e); }
  void null() { base_.null(); leaf(0x9011); }

  DeepStats finish();

  static std::uint64_t hash_bytes(std::string_view s);

 private:
  struct Frame {
    bool object;
    std::uint64_t acc;
    std::uint64_t key;
    std::uint64_t count;
  };
  void number(NumberKey n) {
    base_.number_public(n);
    numbers_.push_back(n);
    leaf(n.hash());
  }
  void leaf(std::uint64_t h);
  void close(std::size_t count);

  struct Base : StatsVisitor {
    void number_public(NumberKey n) { number(n); }
  } base_;
  std::vector<Frame> frames_;
  std::vector<NumberKey> numbers_;
  std::uint64_t string_hash_ = 0;
  std::uint64_t tree_hash_ = 0;
};

// Compares a library's view of a document with the reference's. An empty
// `error` means the structure and every string matched; numbers that differ are
// counted rather than treated as failure (a library that misrounds doubles is a
// finding to report, not a broken benchmark).
struct Comparison {
  std::string error;
  std::uint64_t number_mismatches = 0;
};
Comparison compare(const DeepStats& expected, const DeepStats& actual);

}  // namespace hotbench::json

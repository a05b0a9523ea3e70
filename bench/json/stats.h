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

#include "../harness/mix64.h"

#include <algorithm>
#include <bit>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace hotbench::json {


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

  // What the structural hash sees of a number: its kind, and an integer's value.
  // A double counts by kind only, so a misrounded double leaves the tree hash
  // alone and the tree is checked on every row (doubles are judged one by one).
  // A double zero looks like the integer 0, the one kind change compare()
  // accepts (-0 as a double, see stats.cpp).
  std::uint64_t shape_hash() const {
    if (kind != kDouble) return hash();
    return (bits << 1) == 0 ? of_int(0).hash() : mix64(0xd0b1e5);
  }
};

// A number and the place it came from: which document, and a hash of the
// member keys and array indices leading to it. Places do not depend on the
// order a library keeps object members in (nlohmann::json sorts them), so each
// library number can be paired with the reference number at the same place.
struct PlacedNumber {
  std::uint64_t document;
  std::uint64_t path;
  NumberKey value;
  auto operator<=>(const PlacedNumber&) const = default;
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
// ordered, object members unordered, as JSON means them; numbers by kind, and
// integers by value), and every number with its place, so that each can be
// judged against the reference number at the same place. Used for validation only.
struct DeepStats {
  Stats stats;
  std::uint64_t string_hash = 0;
  std::uint64_t tree_hash = 0;
  std::uint64_t documents = 0;
  // Numbers whose text is beyond the range of a double (1e400, 1e-400): the
  // reference holds their correctly rounded value, +-inf or +-0.
  std::uint64_t out_of_range_numbers = 0;
  std::vector<PlacedNumber> numbers;  // sorted by (document, path, value)

  void add(const DeepStats& other);  // the other's documents follow this one's
};

class DeepVisitor {
 public:
  void begin_object() {
    base_.begin_object();
    frames_.push_back({true, 0x0b1ec7, 0, 0, value_path()});
  }
  void end_object(std::size_t members) { base_.end_object(members); close(members); }
  void begin_array() {
    base_.begin_array();
    frames_.push_back({false, 0xa11a7, 0, 0, value_path()});
  }
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
  // From the reference parser only: a number whose text is beyond the range of
  // a double, given as its correctly rounded value (+-inf or +-0).
  void out_of_range_dbl(double v) {
    ++out_of_range_;
    dbl(v);
  }
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
    std::uint64_t path;  // the place of this object or array
  };
  void number(NumberKey n) {
    base_.number_public(n);
    numbers_.push_back({0, value_path(), n});
    leaf(n.shape_hash());
  }
  std::uint64_t value_path() const;  // the place of the value being visited
  void leaf(std::uint64_t h);
  void close(std::size_t count);

  struct Base : StatsVisitor {
    void number_public(NumberKey n) { number(n); }
  } base_;
  std::vector<Frame> frames_;
  std::vector<PlacedNumber> numbers_;
  std::uint64_t out_of_range_ = 0;
  std::uint64_t string_hash_ = 0;
  std::uint64_t tree_hash_ = 0;
};

// Compares a library's view of documents with the reference's. An empty
// `error` means the structure, every string and every number is right.
//
// Numbers are paired by place and judged one by one:
// - integer text (the reference holds an int64 or uint64) must come back as an
//   integer of the same value: any other value, or a double (even an exact
//   one), is a wrong result;
// - double text must come back as a double of the same sign, at most
//   `max_ulp_error` units in the last place from the correctly rounded value
//   (the library's declared bound, see contract.h). A double that differs
//   within the bound is counted in number_mismatches (a finding to report);
//   anything else (another kind, another sign, NaN, farther than the bound, a
//   wrong exponent) is a wrong result.
struct Comparison {
  std::string error;
  std::uint64_t number_mismatches = 0;     // doubles within the bound but not correctly rounded
  std::uint64_t max_ulp_error = 0;         // the largest distance seen, in units in the last place
  std::uint64_t out_of_range_numbers = 0;  // of the expected side (see DeepStats)
};
Comparison compare(const DeepStats& expected, const DeepStats& actual, std::uint64_t max_ulp_error = 0);

// The distance between two finite-or-infinite doubles of the same sign, in
// units in the last place (adjacent doubles are 1 apart; DBL_MAX and inf too).
std::uint64_t ulp_distance(double a, double b);

}  // namespace hotbench::json

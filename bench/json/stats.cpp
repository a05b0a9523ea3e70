#include "stats.h"

#include <cmath>
#include <cstdio>
#include <sstream>

namespace hotbench::json {

std::string Stats::diff(const Stats& e) const {
  std::ostringstream out;
  auto field = [&](const char* name, std::uint64_t want, std::uint64_t got) {
    if (want != got) out << (out.tellp() > 0 ? "; " : "") << name << ": expected " << want << ", got " << got;
  };
  field("objects", e.objects, objects);
  field("arrays", e.arrays, arrays);
  field("strings", e.strings, strings);
  field("numbers", e.numbers, numbers);
  field("true", e.trues, trues);
  field("false", e.falses, falses);
  field("null", e.nulls, nulls);
  field("members", e.members, members);
  field("elements", e.elements, elements);
  field("string bytes", e.string_bytes, string_bytes);
  field("max depth", e.max_depth, max_depth);
  field("number hash", e.number_hash, number_hash);
  return out.str();
}

void Stats::add(const Stats& o) {
  objects += o.objects;
  arrays += o.arrays;
  strings += o.strings;
  numbers += o.numbers;
  trues += o.trues;
  falses += o.falses;
  nulls += o.nulls;
  members += o.members;
  elements += o.elements;
  string_bytes += o.string_bytes;
  max_depth = std::max(max_depth, o.max_depth);
  number_hash += o.number_hash;
}

void DeepStats::add(const DeepStats& o) {
  stats.add(o.stats);
  string_hash += o.string_hash;
  tree_hash = mix64(tree_hash + 0x9e3779b97f4a7c15ULL) ^ o.tree_hash;  // documents are ordered
  out_of_range_numbers += o.out_of_range_numbers;
  // The other's documents come after this one's, so the order stays sorted.
  numbers.reserve(numbers.size() + o.numbers.size());
  for (PlacedNumber n : o.numbers) {
    n.document += documents;
    numbers.push_back(n);
  }
  documents += o.documents;
}

std::uint64_t DeepVisitor::hash_bytes(std::string_view s) {
  std::uint64_t h = 0xcbf29ce484222325ULL ^ s.size();  // FNV-1a, then a finalizer
  for (unsigned char c : s) h = (h ^ c) * 0x100000001b3ULL;
  return mix64(h);
}

std::uint64_t DeepVisitor::value_path() const {
  if (frames_.empty()) return 0x2007;
  const Frame& f = frames_.back();
  if (f.object) return mix64(f.path ^ mix64(f.key + 0x6b6579));
  return mix64(f.path + (f.count + 1) * 0x9e3779b97f4a7c15ULL);  // count: the elements before this one
}

void DeepVisitor::leaf(std::uint64_t h) {
  if (frames_.empty()) {
    tree_hash_ = mix64(h);
    return;
  }
  Frame& f = frames_.back();
  if (f.object)
    f.acc += mix64(f.key * 31 + h);  // members commute: JSON objects are unordered
  else
    f.acc = mix64(f.acc ^ h) + ++f.count;  // elements do not
}

void DeepVisitor::close(std::size_t count) {
  Frame f = frames_.back();
  frames_.pop_back();
  leaf(mix64(f.acc ^ (count << 1) ^ (f.object ? 1 : 0)));
}

DeepStats DeepVisitor::finish() {
  DeepStats d;
  d.stats = base_.stats;
  d.string_hash = string_hash_;
  d.tree_hash = tree_hash_;
  d.documents = 1;
  d.out_of_range_numbers = out_of_range_;
  d.numbers = std::move(numbers_);
  std::sort(d.numbers.begin(), d.numbers.end());
  *this = DeepVisitor{};
  return d;
}

std::uint64_t ulp_distance(double a, double b) {
  // For doubles of one sign, the bit patterns (sign bit cleared) are ordered
  // like the values, and adjacent doubles differ by 1.
  auto magnitude = [](double x) { return std::bit_cast<std::uint64_t>(x) & ~(std::uint64_t{1} << 63); };
  std::uint64_t x = magnitude(a), y = magnitude(b);
  return x > y ? x - y : y - x;
}

namespace {

std::string describe(NumberKey n) {
  char buf[48];
  switch (n.kind) {
    case NumberKey::kInt: std::snprintf(buf, sizeof buf, "integer %lld", static_cast<long long>(n.bits)); break;
    case NumberKey::kUint: std::snprintf(buf, sizeof buf, "integer %llu", static_cast<unsigned long long>(n.bits)); break;
    case NumberKey::kDouble: std::snprintf(buf, sizeof buf, "double %.17g", std::bit_cast<double>(n.bits)); break;
  }
  return buf;
}

// Why `got` is a wrong result for `want`, or empty when it is acceptable (the
// same value, or a double within the bound; `ulp` is then its distance).
std::string judge(NumberKey want, NumberKey got, std::uint64_t max_ulp_error, std::uint64_t& ulp) {
  ulp = 0;
  if (want == got) return {};
  // The one exception to "integer text gives an integer": simdjson's DOM
  // returns -0 as a double zero, on purpose (JSON readers take -0 for a
  // negative zero). The value is the text's; it counts as a mismatch.
  if (want == NumberKey::of_int(0) && got.kind == NumberKey::kDouble && std::bit_cast<double>(got.bits) == 0.0)
    return {};
  if (want.kind != NumberKey::kDouble) return "an integer of another value or kind";
  if (got.kind != NumberKey::kDouble) return "an integer for a number the text writes as a double";
  const double w = std::bit_cast<double>(want.bits), g = std::bit_cast<double>(got.bits);
  if (std::isnan(g)) return "NaN";
  if (std::signbit(w) != std::signbit(g)) return "the wrong sign";
  ulp = ulp_distance(w, g);
  if (ulp > max_ulp_error)
    return std::to_string(ulp) + " units in the last place away, more than this library's bound of " +
           std::to_string(max_ulp_error);
  return {};
}

}  // namespace

Comparison compare(const DeepStats& expected, const DeepStats& actual, std::uint64_t max_ulp_error) {
  Comparison c;
  c.out_of_range_numbers = expected.out_of_range_numbers;
  Stats a = actual.stats, e = expected.stats;
  a.number_hash = e.number_hash = 0;  // numbers are judged below, one by one
  if (!(a == e)) {
    c.error = "structure differs from the reference: " + a.diff(e);
    return c;
  }
  if (actual.string_hash != expected.string_hash) {
    c.error = "string contents differ from the reference (same byte counts, different bytes)";
    return c;
  }
  if (actual.numbers.size() != expected.numbers.size()) {  // only when a walker reports numbers twice, say
    c.error = "the number lists differ in length from the reference";
    return c;
  }
  std::uint64_t wrong = 0;
  std::string first_wrong;
  for (std::size_t i = 0; i < expected.numbers.size(); ++i) {
    const PlacedNumber &want = expected.numbers[i], &got = actual.numbers[i];
    if (want.document != got.document || want.path != got.path) {
      c.error = "document " + std::to_string(want.document) +
                ": numbers are under different keys or positions than in the reference";
      return c;
    }
    std::uint64_t ulp;
    std::string why = judge(want.value, got.value, max_ulp_error, ulp);
    if (!why.empty()) {
      if (wrong++ == 0)
        first_wrong = "document " + std::to_string(want.document) + ": expected " + describe(want.value) + ", got " +
                      describe(got.value) + " (" + why + ")";
      continue;
    }
    if (want.value != got.value) ++c.number_mismatches;
    c.max_ulp_error = std::max(c.max_ulp_error, ulp);
  }
  if (wrong > 0) {
    c.error = std::to_string(wrong) + " of " + std::to_string(expected.numbers.size()) +
              " numbers are wrong, not misrounded; the first: " + first_wrong;
    return c;
  }
  if (actual.tree_hash != expected.tree_hash)
    c.error = "values are attached to different keys or positions than in the reference";
  return c;
}

}  // namespace hotbench::json

#include "stats.h"

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
  auto middle = numbers.insert(numbers.end(), o.numbers.begin(), o.numbers.end());
  std::inplace_merge(numbers.begin(), middle, numbers.end());
}

std::uint64_t DeepVisitor::hash_bytes(std::string_view s) {
  std::uint64_t h = 0xcbf29ce484222325ULL ^ s.size();  // FNV-1a, then a finalizer
  for (unsigned char c : s) h = (h ^ c) * 0x100000001b3ULL;
  return mix64(h);
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
  d.numbers = std::move(numbers_);
  std::sort(d.numbers.begin(), d.numbers.end());
  *this = DeepVisitor{};
  return d;
}

Comparison compare(const DeepStats& expected, const DeepStats& actual) {
  Comparison c;
  Stats a = actual.stats, e = expected.stats;
  a.number_hash = e.number_hash = 0;  // numbers are judged below, by count
  if (!(a == e)) {
    c.error = "structure differs from the reference: " + a.diff(e);
    return c;
  }
  if (actual.string_hash != expected.string_hash) {
    c.error = "string contents differ from the reference (same byte counts, different bytes)";
    return c;
  }
  // Multiset difference of the sorted number lists.
  auto i = expected.numbers.begin(), j = actual.numbers.begin();
  while (i != expected.numbers.end() && j != actual.numbers.end()) {
    if (*i == *j) {
      ++i, ++j;
    } else if (*i < *j) {
      ++c.number_mismatches, ++i;
    } else {
      ++j;
    }
  }
  c.number_mismatches += static_cast<std::uint64_t>(expected.numbers.end() - i);
  if (c.number_mismatches == 0 && actual.tree_hash != expected.tree_hash)
    c.error = "values are attached to different keys or positions than in the reference";
  return c;
}

}  // namespace hotbench::json

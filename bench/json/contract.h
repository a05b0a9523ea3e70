// The JSON suite's contract with its library adapters.
//
// An adapter is a small class that owns only library calls; the suite's cases
// (cases.h, typed/typed_cases.h) own timing, validation and counters. Adding a
// library is one file in adapters/ with its classes and one registration at its
// end; adding a dataset is dropping a .json or .jsonl file into data/corpus/.
//
// DOM adapter (tasks parse and serialize):
//
//   class Lib {
//    public:
//     using Doc = ...;                        // the library's document
//     Doc parse(std::string_view text);       // text is followed by kPadding readable bytes;
//                                             // throws on a library error; the result may
//                                             // borrow this object's memory until the next parse
//     template <class V> void walk(Doc& doc, V& v);   // every value, as stats.h describes;
//                                                     // lazy documents are consumed in full
//     void serialize(const Doc& doc, std::string& out);  // optional: minified text
//     std::string label() const;              // optional: shown on every row (e.g. the kernel)
//     static constexpr std::uint64_t kMaxUlpError = N;  // optional, default 0: how far (units in
//                                             // the last place) its doubles may be from the correctly
//                                             // rounded value; set from a measurement (docs/json.md).
//                                             // Farther, or any wrong integer, is a wrong result
//     static constexpr bool kLazy = true;     // optional: parse() defers the work to walk()
//                                             // (On-Demand); such a library gets no parse_only rows
//   };
//
// Typed codec (tasks typed_decode and typed_encode; see typed/typed_cases.h),
// registered with typed_codec<Codec>(library, variant):
//
//   class Codec {
//    public:
//     template <class T> void decode(std::string_view text, T& out);   // throws on error
//     template <class T> void encode(const T& in, std::string& out);   // optional
//     static constexpr std::uint64_t kMaxUlpError = N;  // optional, as for a DOM adapter
//   };
//
// Registration, at the end of the adapter's file:
//
//   HOTBENCH_REGISTER(boost_json) {
//     parse<BoostJson>("boost_json");                  // json/parse/boost_json/<dataset>,
//                                                      // json/parse_only/... and json/parse_bare/...
//     parse<BoostJsonMonotonic>("boost_json", "monotonic");
//     serialize<BoostJson>("boost_json");              // json/serialize/boost_json/<dataset>
//     typed_codec<BoostJsonCodec>("boost_json");       // typed_decode and typed_encode
//   }
#pragma once

#include "../harness/registry.h"

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "../harness/case.h"

namespace hotbench::json {

class Dataset;

// A family of cases: for a dataset, builds the case (or says it does not apply,
// e.g. a typed codec on a dataset that is not a message file).
struct Family {
  std::string task;
  std::string library;
  std::string variant;
  // Returns null when the family does not apply to that dataset name.
  std::function<CaseFactory(const std::string& dataset_path)> for_dataset;
};

void add_family(Family f);
const std::vector<Family>& families();

template <class Lib>
void parse(std::string library, std::string variant = "");
template <class Lib>
void serialize(std::string library, std::string variant = "");
// Named typed_codec, not typed: hotbench::json::typed is the messages' namespace.
template <class Codec>
void typed_codec(std::string library, std::string variant = "");


}  // namespace hotbench::json


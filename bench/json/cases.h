// The JSON suite's cases: what is measured for each task, and how each result
// is validated before any timing. Adapters (adapters/*.cpp) include this file
// and register themselves with parse<>() and serialize<>() (see contract.h).
#pragma once

#include <benchmark/benchmark.h>

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "../harness/measure.h"
#include "../harness/suite.h"
#include "contract.h"
#include "dataset.h"
#include "reference.h"
#include "stats.h"

namespace hotbench::json {

template <class Lib>
std::string label_of(const Lib& lib) {
  if constexpr (requires { lib.label(); })
    return lib.label();
  else
    return {};
}

// The largest distance, in units in the last place, a library's doubles may
// be from the correctly rounded value: declared next to its adapter as
// `static constexpr std::uint64_t kMaxUlpError` (contract.h). A library that
// declares none must round correctly (0).
template <class Lib>
constexpr std::uint64_t max_ulp_error_of() {
  if constexpr (requires { Lib::kMaxUlpError; })
    return Lib::kMaxUlpError;
  else
    return 0;
}

// Whether the library's parse defers the work to the walk (simdjson
// On-Demand): declared as `static constexpr bool kLazy = true`. Lazy libraries
// get no parse_only rows, since their parse alone builds nothing.
template <class Lib>
constexpr bool is_lazy() {
  if constexpr (requires { Lib::kLazy; })
    return Lib::kLazy;
  else
    return false;
}

// The number findings every checked row reports beside its figure.
inline void add_number_findings(Check& check, const Comparison& c) {
  check.findings.emplace_back("number_mismatches", static_cast<double>(c.number_mismatches));
  check.findings.emplace_back("max_ulp_error", static_cast<double>(c.max_ulp_error));
  check.findings.emplace_back("out_of_range_numbers", static_cast<double>(c.out_of_range_numbers));
}

// A library error on a dataset that holds numbers beyond the range of a double
// says so: rejecting such a (valid) document is the library's finding.
inline std::string library_error(const Dataset& data, const std::string& what) {
  std::string out = data.path + ": " + what;
  if (data.reference.out_of_range_numbers > 0)
    out += " (the dataset is valid JSON with " + std::to_string(data.reference.out_of_range_numbers) +
           " numbers beyond the range of a double, such as 1e400 or 1e-400, which the reference rounds to "
           "+-inf or +-0)";
  return out;
}

// The reference parser's view of text a library wrote (serialize, typed_encode).
// Throws, naming the document and the byte, when the text is not JSON at all.
inline DeepStats reference_stats_of_output(std::string_view text, std::size_t document, const char* what) {
  DeepVisitor v;
  try {
    parse_reference(text, v);
  } catch (const SyntaxError& e) {
    throw std::runtime_error("document " + std::to_string(document) + ": " + what +
                             " output is not valid JSON at byte " + std::to_string(e.offset) + ": " + e.what());
  }
  return v.finish();
}

// Every document parsed and walked, the statistics accumulated: what the
// parse_only check compares with its checked walk.
template <class Lib>
Stats parse_and_walk(Lib& lib, const Dataset& data) {
  StatsVisitor v;
  for (auto text : data.documents) {
    auto doc = lib.parse(text);
    lib.walk(doc, v);
  }
  return v.stats;
}

// The one check of every parse row (parse, parse_only, parse_bare):
// 1. each document, parsed and walked, is judged against the reference
//    (structure, strings, tree, and every number by the rules of compare()
//    with the library's declared ULP bound);
// 2. the timed path, run once (`timed_stats`: the very code the row times),
//    must reproduce the checked walk exactly, number hash included. Its number
//    hash is compared with the library's own verified numbers rather than the
//    reference's, so a library that misrounds within its bound is still fully
//    checked.
template <class Lib, class TimedStats>
Check check_parse(Lib& lib, const Dataset& data, TimedStats&& timed_stats) {
  try {
    DeepStats deep;
    for (auto text : data.documents) {
      DeepVisitor v;
      auto doc = lib.parse(text);
      lib.walk(doc, v);
      deep.add(v.finish());
    }
    Comparison c = compare(data.reference, deep, max_ulp_error_of<Lib>());
    if (!c.error.empty()) return Check::failed(data.path + ": " + c.error);
    Stats timed = timed_stats();
    if (!(timed == deep.stats))
      return Check::failed(data.path + ": the timed traversal differs from the checked one: " + timed.diff(deep.stats));
    Check ok;
    add_number_findings(ok, c);
    ok.label = label_of(lib);
    return ok;
  } catch (const std::exception& e) {
    return Check::failed(library_error(data, e.what()));
  }
}

// parse: text -> the library's full document -> the traversal statistics.
// One operation handles every document of the dataset.
template <class Lib>
class ParseCase final : public Case {
 public:
  explicit ParseCase(std::shared_ptr<const Dataset> d) : data_(std::move(d)) {}

  Work work() const override {
    return {static_cast<double>(data_->bytes), 0, static_cast<double>(data_->documents.size())};
  }

  Check check() override {
    return check_parse(lib_, *data_, [this] { return stats_of_run(); });
  }

  void run() override { benchmark::DoNotOptimize(stats_of_run()); }

 private:
  // Out of line on purpose: run() is then a call to this and nothing else,
  // whatever check() around it looks like. Inlined, its code (and the gate's
  // instruction count of the row, +6 % once) moved with every change to the
  // checks in this header.
  [[gnu::noinline]] Stats stats_of_run() {
    StatsVisitor v;
    for (auto text : data_->documents) {
      auto doc = lib_.parse(text);
      lib_.walk(doc, v);
    }
    return v.stats;
  }

  std::shared_ptr<const Dataset> data_;
  Lib lib_;
};

// parse_only: text -> the library's full document, nothing more, so the row
// can be held against a library's own published parse figure. check() proves
// the document the timed loop builds (the same lib.parse) by walking it against
// the reference; run() only parses. Not for lazy libraries (is_lazy).
template <class Lib>
class ParseOnlyCase final : public Case {
 public:
  explicit ParseOnlyCase(std::shared_ptr<const Dataset> d) : data_(std::move(d)) {}

  Work work() const override {
    return {static_cast<double>(data_->bytes), 0, static_cast<double>(data_->documents.size())};
  }

  Check check() override {
    return check_parse(lib_, *data_, [this] { return parse_and_walk(lib_, *data_); });
  }

  void run() override {
    for (auto text : data_->documents) {
      auto doc = lib_.parse(text);
      benchmark::DoNotOptimize(doc);
    }
  }

 private:
  std::shared_ptr<const Dataset> data_;
  Lib lib_;
};

// serialize: an already-parsed document -> minified text. Each document keeps
// its own adapter, since a document may borrow its parser's memory.
template <class Lib>
class SerializeCase final : public Case {
 public:
  explicit SerializeCase(std::shared_ptr<const Dataset> d) : data_(std::move(d)) {
    for (auto text : data_->documents) {
      libs_.push_back(std::make_unique<Lib>());
      docs_.push_back(libs_.back()->parse(text));
    }
  }

  Work work() const override {
    return {static_cast<double>(data_->bytes), output_bytes_, static_cast<double>(docs_.size())};
  }

  // The output, re-parsed by the reference parser, must describe the same
  // document the serializer was given.
  Check check() override {
    try {
      DeepStats given, written;
      output_bytes_ = 0;
      for (std::size_t i = 0; i < docs_.size(); ++i) {
        DeepVisitor g;
        libs_[i]->walk(docs_[i], g);
        given.add(g.finish());
        libs_[i]->serialize(docs_[i], out_);
        output_bytes_ += static_cast<double>(out_.size());
        written.add(reference_stats_of_output(out_, i, "serialized"));
      }
      // A serializer must write exactly the numbers it holds (0 ULP): every
      // library here writes doubles that round-trip.
      Comparison c = compare(given, written);
      if (!c.error.empty()) return Check::failed(data_->path + ": serialized output: " + c.error);
      c.out_of_range_numbers = data_->reference.out_of_range_numbers;
      Check ok;
      add_number_findings(ok, c);
      ok.label = label_of(*libs_.front());
      return ok;
    } catch (const std::exception& e) {
      return Check::failed(library_error(*data_, e.what()));
    }
  }

  void run() override {
    for (std::size_t i = 0; i < docs_.size(); ++i) {
      libs_[i]->serialize(docs_[i], out_);
      benchmark::DoNotOptimize(out_.data());
    }
  }

 private:
  std::shared_ptr<const Dataset> data_;
  std::vector<std::unique_ptr<Lib>> libs_;
  std::vector<typename Lib::Doc> docs_;
  std::string out_;
  double output_bytes_ = 0;
};

template <class CaseT>
std::function<CaseFactory(const std::string&)> for_every_dataset() {
  return [](const std::string& path) -> CaseFactory {
    return [path] { return std::make_unique<CaseT>(cached_dataset(path)); };
  };
}

// The same work as ParseCase::run(), written inline without the harness, so
// that comparing json/parse_bare/* with json/parse/* measures what the harness
// costs (see --hotbench_bare). Checked like every parse row, by the same
// check_parse (with this loop's own body as the timed path); a failed check is
// an error row.
template <class Lib>
void bare_parse_loop(benchmark::State& state, const std::string& path, const std::string& name) {
  std::shared_ptr<const Dataset> data;
  try {
    data = cached_dataset(path);
  } catch (const std::exception& e) {
    state.SkipWithError(e.what());
    for (auto _ : state) {
    }
    return;
  }
  Lib lib;
  auto pass = [&] {
    StatsVisitor v;
    for (auto text : data->documents) {
      auto doc = lib.parse(text);
      lib.walk(doc, v);
    }
    return v.stats;
  };
  Check check = check_parse(lib, *data, pass);
  if (!check.ok()) {
    state.SkipWithError(check.error.c_str());
    for (auto _ : state) {
    }
    return;
  }
  measure::begin();  // so the instruction-count mode can compare it too
  for (auto _ : state) benchmark::DoNotOptimize(pass());
  measure::end(name);
  state.SetBytesProcessed(static_cast<int64_t>(data->bytes) * static_cast<int64_t>(state.iterations()));
  for (const auto& [finding, value] : check.findings) state.counters[finding] = value;
}

using BareLoop = void (*)(benchmark::State&, const std::string& path, const std::string& name);
void register_bare(const std::string& library, const std::string& variant, BareLoop loop);

template <class Lib>
void parse(std::string library, std::string variant) {
  add_family({"parse", library, variant, for_every_dataset<ParseCase<Lib>>()});
  if constexpr (!is_lazy<Lib>()) add_family({"parse_only", library, variant, for_every_dataset<ParseOnlyCase<Lib>>()});
  register_bare(library, variant, &bare_parse_loop<Lib>);
}

template <class Lib>
void serialize(std::string library, std::string variant) {
  add_family({"serialize", std::move(library), std::move(variant), for_every_dataset<SerializeCase<Lib>>()});
}

}  // namespace hotbench::json

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
    try {
      DeepStats deep;
      for (auto text : data_->documents) {
        DeepVisitor v;
        auto doc = lib_.parse(text);
        lib_.walk(doc, v);
        deep.add(v.finish());
      }
      Comparison c = compare(data_->reference, deep);
      if (!c.error.empty()) return Check::failed(data_->path + ": " + c.error);
      // The timed path itself must agree too: same counts, and the same number
      // hash whenever every number matched.
      Stats timed = stats_of_run();
      Stats want = data_->reference.stats;
      if (c.number_mismatches > 0) timed.number_hash = want.number_hash = 0;
      if (!(timed == want)) return Check::failed(data_->path + ": timed traversal differs: " + timed.diff(want));
      Check ok;
      ok.findings.emplace_back("number_mismatches", static_cast<double>(c.number_mismatches));
      ok.label = label_of(lib_);
      return ok;
    } catch (const std::exception& e) {
      return Check::failed(data_->path + ": " + e.what());
    }
  }

  void run() override { benchmark::DoNotOptimize(stats_of_run()); }

 private:
  Stats stats_of_run() {
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
      Comparison c = compare(given, written);
      if (!c.error.empty()) return Check::failed(data_->path + ": serialized output: " + c.error);
      Check ok;
      ok.findings.emplace_back("number_mismatches", static_cast<double>(c.number_mismatches));
      ok.label = label_of(*libs_.front());
      return ok;
    } catch (const std::exception& e) {
      return Check::failed(data_->path + ": " + e.what());
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
// costs (see --hotbench_bare).
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
  measure::begin();  // so the instruction-count mode can compare it too
  for (auto _ : state) {
    StatsVisitor v;
    for (auto text : data->documents) {
      auto doc = lib.parse(text);
      lib.walk(doc, v);
    }
    benchmark::DoNotOptimize(v.stats);
  }
  measure::end(name);
  state.SetBytesProcessed(static_cast<int64_t>(data->bytes) * static_cast<int64_t>(state.iterations()));
}

using BareLoop = void (*)(benchmark::State&, const std::string& path, const std::string& name);
void register_bare(const std::string& library, const std::string& variant, BareLoop loop);

template <class Lib>
void parse(std::string library, std::string variant) {
  add_family({"parse", library, variant, for_every_dataset<ParseCase<Lib>>()});
  register_bare(library, variant, &bare_parse_loop<Lib>);
}

template <class Lib>
void serialize(std::string library, std::string variant) {
  add_family({"serialize", std::move(library), std::move(variant), for_every_dataset<SerializeCase<Lib>>()});
}

}  // namespace hotbench::json

// The JSON suite's registration: datasets x families, the speed-of-light row,
// and the run's library metadata.
#include <benchmark/benchmark.h>
#include <simdjson.h>

#include <cstring>
#include <map>

#include "../harness/describe.h"
#include "cases.h"
#include "simdjson_kernel.h"

namespace hotbench::json {
namespace {

std::vector<Family>& family_list() {
  static std::vector<Family> list;
  return list;
}

struct Bare {
  std::string library, variant;
  BareLoop loop;
};
std::vector<Bare>& bare_list() {
  static std::vector<Bare> list;
  return list;
}

// limit: the cost of touching every input byte once (a memcpy of each
// document into a reused buffer), so every report shows how far each library
// is from the speed of light on the same data.
class MemcpyLimit final : public Case {
 public:
  explicit MemcpyLimit(std::shared_ptr<const Dataset> d) : data_(std::move(d)) {
    std::size_t largest = 0;
    for (auto text : data_->documents) largest = std::max(largest, text.size());
    buffer_ = aligned_bytes(largest);  // aligned like the documents (see aligned_bytes)
  }
  Work work() const override {
    return {static_cast<double>(data_->bytes), 0, static_cast<double>(data_->documents.size())};
  }
  Check check() override {
    for (auto text : data_->documents) {
      std::memcpy(buffer_.get(), text.data(), text.size());
      if (std::string_view(buffer_.get(), text.size()) != text) return Check::failed("memcpy copy differs");
    }
    return {};
  }
  void run() override {
    for (auto text : data_->documents) {
      std::memcpy(buffer_.get(), text.data(), text.size());
      benchmark::ClobberMemory();
    }
  }

 private:
  std::shared_ptr<const Dataset> data_;
  AlignedBytes buffer_;
};

const char* kTaskOrder[] = {"limit", "parse", "parse_only", "parse_bare", "serialize", "typed_decode", "typed_encode"};

}  // namespace

void add_family(Family f) { family_list().push_back(std::move(f)); }
const std::vector<Family>& families() { return family_list(); }

void register_bare(const std::string& library, const std::string& variant, BareLoop loop) {
  bare_list().push_back({library, variant, loop});
}

}  // namespace hotbench::json

namespace hotbench {

const SuiteInfo& suite_info() {
  static const SuiteInfo info = {
      "json",
      "JSON: parse, serialize and typed (struct <-> JSON) over the same documents, every number checked",
      {{"limit", "memcpy of each document into a reused buffer: the speed of light on the same data"},
       {"parse", "parse into the library's document and walk it all (numbers, strings, keys), checked"},
       {"parse_only", "the library's parse alone (for libraries that build a document): parse minus the walk"},
       {"parse_bare", "the parse loop without the harness (--hotbench_bare=true): the harness's own cost"},
       {"serialize", "a parsed document back to text, round-tripped and checked"},
       {"typed_decode", "JSON text into C++ structs (message datasets), checked against the reference"},
       {"typed_encode", "C++ structs into JSON text, checked by parsing it back"}},
      {{"number_mismatches", "count", "lower", "count", true,
        "doubles that differ from a correctly rounded parse, within the library's declared bound"},
       {"max_ulp_error", "ULP", "lower", "count", true,
        "largest distance of a parsed double from the correctly rounded value, in units in the last place"},
       {"out_of_range_numbers", "count", "", "count", true,
        "numbers of the dataset beyond the range of a double (1e400, 1e-400): valid JSON, rounded to +-inf or +-0"}},
      {".json", ".jsonl"},
      {corpus_dir()},
      // every task on datasets of three shapes (strings, numbers, small messages)
      "^json/(limit|parse|serialize|typed_decode|typed_encode)/[^/]+/(social|geometry|orders)",
  };
  return info;
}

void register_suite(const Options& options, Settings&, const std::vector<std::string>& files) {
  using namespace hotbench::json;
  // DOM dispatches at run time inside Debian's shared library. On-Demand is
  // compiled into our code with our -march, so its kernel is the one this
  // translation unit selected (see simdjson_kernel.h).
  benchmark::AddCustomContext("simdjson_active_implementation", simdjson::get_active_implementation()->name());
  benchmark::AddCustomContext("simdjson_ondemand_implementation", std::string(kOndemandKernel));

  for (const char* task : kTaskOrder) {
    for (const auto& file : files) {
      const std::string name = dataset_name(file);
      CaseId id{"json", task, "", "", name, {}};
      if (std::strcmp(task, "limit") == 0) {
        id.library = "memcpy";
        register_case(id, [file] { return std::make_unique<MemcpyLimit>(cached_dataset(file)); });
        continue;
      }
      if (std::strcmp(task, "parse_bare") == 0) {
        if (!options.bare) continue;
        for (const auto& b : bare_list()) {
          id.library = b.library;
          id.variant = b.variant;
          if (options.describe) {
            describe::record(id);
            continue;
          }
          auto* bench = benchmark::RegisterBenchmark(
              id.name().c_str(), [loop = b.loop, file, name = id.name()](benchmark::State& s) { loop(s, file, name); });
          if (options.iterations > 0) bench->Iterations(options.iterations);
        }
        continue;
      }
      for (const auto& family : families()) {
        if (family.task != task) continue;
        CaseFactory make = family.for_dataset(file);
        if (!make) continue;
        id.library = family.library;
        id.variant = family.variant;
        register_case(id, std::move(make));
      }
    }
  }
}

}  // namespace hotbench

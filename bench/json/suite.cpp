// The JSON suite's registration: datasets x families, the speed-of-light row,
// and the run's library metadata.
#include <benchmark/benchmark.h>
#include <boost/version.hpp>
#include <nlohmann/json.hpp>
#include <rapidjson/rapidjson.h>
#include <simdjson.h>

#include <cstring>
#include <map>

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

const char* suite_name() { return "json"; }

std::vector<std::string> default_data_paths() {
#ifdef HOTBENCH_DEFAULT_DATA
  return {HOTBENCH_DEFAULT_DATA};
#else
  return {};
#endif
}

void register_suite(const Options& options) {
  using namespace hotbench::json;
  if (!options.settings.empty())
    throw UsageError("the json suite has no settings (--hotbench_set=" + options.settings.front().first + "=...)");
  std::vector<std::string> files;
  try {
    files = discover_datasets(options.data);
  } catch (const DatasetError& e) {
    throw UsageError(e.what());
  }

  benchmark::AddCustomContext("boost_version", BOOST_LIB_VERSION);
  benchmark::AddCustomContext("rapidjson_version", std::to_string(RAPIDJSON_MAJOR_VERSION) + "." +
                                                       std::to_string(RAPIDJSON_MINOR_VERSION) + "." +
                                                       std::to_string(RAPIDJSON_PATCH_VERSION));
  benchmark::AddCustomContext("simdjson_version", std::to_string(simdjson::SIMDJSON_VERSION_MAJOR) + "." +
                                                      std::to_string(simdjson::SIMDJSON_VERSION_MINOR) + "." +
                                                      std::to_string(simdjson::SIMDJSON_VERSION_REVISION));
  benchmark::AddCustomContext("nlohmann_json_version", std::to_string(NLOHMANN_JSON_VERSION_MAJOR) + "." +
                                                           std::to_string(NLOHMANN_JSON_VERSION_MINOR) + "." +
                                                           std::to_string(NLOHMANN_JSON_VERSION_PATCH));
  // DOM dispatches at run time inside Debian's shared library. On-Demand is
  // compiled into our code with our -march, so its kernel is the one this
  // translation unit selected (see simdjson_kernel.h).
  benchmark::AddCustomContext("simdjson_active_implementation", simdjson::get_active_implementation()->name());
  benchmark::AddCustomContext("simdjson_ondemand_implementation", std::string(kOndemandKernel));
  std::string datasets;
  for (const auto& f : files) datasets += (datasets.empty() ? "" : ";") + f;
  benchmark::AddCustomContext("hotbench_datasets", datasets);

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

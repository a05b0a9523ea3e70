// The shared main() of every suite binary: our --hotbench_* flags, then Google
// Benchmark's own flags, then the suite's registrations, then the run.
#include <benchmark/benchmark.h>

#include <cstdio>
#include <cstring>
#include <regex>
#include <string>
#include <string_view>
#include <vector>

#include "alloc_counter.h"
#include "describe.h"
#include "measure.h"
#include "settings.h"
#include "suite.h"

#ifndef HOTBENCH_BUILD_TYPE
#define HOTBENCH_BUILD_TYPE "unknown"
#endif
#ifndef HOTBENCH_CXX_FLAGS
#define HOTBENCH_CXX_FLAGS "unknown"
#endif
namespace hotbench {
// PACKAGE=VERSION;... of the Debian packages this binary was built against (library_versions.cpp).
extern const char kLibraryVersions[];
namespace {
// Exit codes of a suite binary: 0 ran (error rows are in the JSON, not in the code); 4 usage error (a bad
// --hotbench_* flag or setting, an unknown flag: nothing ran). The same code as the Python CLI's usage
// error (scripts/hotbench/errors.py EXIT_USAGE), so `hotbench run` passes it on unchanged; anything else
// (a crash, a sanitizer report) is a failure of the binary, never "you asked for something wrong".
constexpr int kExitUsage = 4;

Options g_options;  // handed to the harness with set_options() once parsed

constexpr const char* kUsage =
    "hotbench options (besides Google Benchmark's --benchmark_* flags):\n"
    "  --hotbench_data=PATH        a dataset file or a folder of them (repeatable)\n"
    "  --hotbench_iterations=N     run every benchmark for exactly N iterations\n"
    "  --hotbench_bare=true|false  include the bare-loop rows that measure harness overhead\n"
    "  --hotbench_slowdown=REGEX:F benchmarks matching REGEX do the fraction F (0..10) more work\n"
    "  --hotbench_set=KEY=VALUE    a setting of this suite (repeatable; the suite lists its keys)\n"
    "  --hotbench_announce=true    write 'hotbench: start <name>' on stderr as each benchmark begins\n"
    "  --hotbench_hang=REGEX       test hook: benchmarks matching REGEX block forever (only SIGKILL ends them)\n"
    "  --hotbench_profile=P        quick, default or full: how much of the suite runs by default\n"
    "  --hotbench_describe         print what this suite is (tasks, metrics, settings, data, libraries) as JSON\n";

long parse_positive(std::string_view flag, const std::string& text) {
  char* end = nullptr;
  long v = std::strtol(text.c_str(), &end, 10);
  if (text.empty() || *end != '\0' || v <= 0)
    throw UsageError(std::string(flag) + " wants a positive integer, got '" + text + "'");
  return v;
}

bool parse_bool(std::string_view flag, const std::string& text) {
  if (text == "true" || text == "1") return true;
  if (text == "false" || text == "0") return false;
  throw UsageError(std::string(flag) + " wants true or false, got '" + text + "'");
}

// Removes our flags from argv so Google Benchmark never sees them.
void take_our_flags(int& argc, char** argv) {
  int kept = 1;
  for (int i = 1; i < argc; ++i) {
    std::string_view arg = argv[i];
    if (arg == "--help" || arg == "-h") std::fputs(kUsage, stdout);
    if (arg.rfind("--hotbench_", 0) != 0) {
      argv[kept++] = argv[i];
      continue;
    }
    auto eq = arg.find('=');
    std::string_view flag = arg.substr(0, eq);
    std::string value = eq == std::string_view::npos ? "" : std::string(arg.substr(eq + 1));
    if (flag == "--hotbench_data" && !value.empty()) {
      g_options.data.push_back(value);
    } else if (flag == "--hotbench_iterations") {
      g_options.iterations = parse_positive(flag, value);
    } else if (flag == "--hotbench_bare") {
      g_options.bare = parse_bool(flag, value);
    } else if (flag == "--hotbench_slowdown") {
      auto colon = value.rfind(':');
      char* end = nullptr;
      double f = colon == std::string::npos ? -1 : std::strtod(value.c_str() + colon + 1, &end);
      if (colon == std::string::npos || colon == 0 || *end != '\0' || !(f > 0 && f <= 10))
        throw UsageError("--hotbench_slowdown wants REGEX:FRACTION with 0 < FRACTION <= 10, got '" + value + "'");
      g_options.slowdown_pattern = value.substr(0, colon);
      g_options.slowdown = f;
      try {
        std::regex check(g_options.slowdown_pattern);
      } catch (const std::regex_error& e) {
        throw UsageError("--hotbench_slowdown: '" + g_options.slowdown_pattern + "' is not a valid regex: " + e.what());
      }
    } else if (flag == "--hotbench_announce") {
      g_options.announce = parse_bool(flag, value);
    } else if (flag == "--hotbench_hang" && !value.empty()) {
      g_options.hang_pattern = value;
      try {
        std::regex check(value);
      } catch (const std::regex_error& e) {
        throw UsageError("--hotbench_hang: '" + value + "' is not a valid regex: " + e.what());
      }
    } else if (flag == "--hotbench_profile") {
      if (value != "quick" && value != "default" && value != "full")
        throw UsageError("--hotbench_profile wants quick, default or full, got '" + value + "'");
      g_options.profile = value;
    } else if (flag == "--hotbench_describe") {
      g_options.describe = value.empty() || parse_bool(flag, value);
    } else if (flag == "--hotbench_set") {
      auto split = value.find('=');
      if (split == std::string::npos || split == 0)
        throw UsageError("--hotbench_set wants KEY=VALUE, got '" + value + "'");
      g_options.settings.emplace_back(value.substr(0, split), value.substr(split + 1));
    } else {
      throw UsageError("unknown or empty flag '" + std::string(arg) + "'\n" + kUsage);
    }
  }
  argc = kept;
  argv[argc] = nullptr;
}
std::vector<std::pair<std::string, std::string>> library_versions() {
  std::vector<std::pair<std::string, std::string>> out;
  std::string_view all = kLibraryVersions;
  while (!all.empty()) {
    const auto end = std::min(all.find(';'), all.size());
    const std::string_view item = all.substr(0, end);
    const auto eq = item.find('=');
    if (eq != std::string_view::npos) out.emplace_back(item.substr(0, eq), item.substr(eq + 1));
    all.remove_prefix(std::min(end + 1, all.size()));
  }
  return out;
}
}  // namespace
}  // namespace hotbench

int main(int argc, char** argv) {
  using namespace hotbench;
  try {
    take_our_flags(argc, argv);
    const SuiteInfo& suite = suite_info();
    std::vector<std::string> files;
    if (g_options.data.empty()) {
      g_options.data = suite.default_data;
      // A description made before the default data exists (the corpus is generated on the first run)
      // says so by listing no datasets, instead of failing.
      if (g_options.describe) try {
          discover_files(g_options.data, suite.data_suffixes, suite.name);
        } catch (const UsageError&) {
          g_options.data.clear();
        }
    }
    files = discover_files(g_options.data, suite.data_suffixes, suite.name);
    set_options(g_options);
    Settings settings(suite.name, g_options.settings);
    if (g_options.describe) {
      register_suite(g_options, settings, files);
      settings.finish();
      std::fputs(describe::json(suite, settings, g_options, library_versions()).c_str(), stdout);
      return 0;
    }
    benchmark::Initialize(&argc, argv);
    if (benchmark::ReportUnrecognizedArguments(argc, argv)) return kExitUsage;
    // Google Benchmark's context reports how *it* was built (Debian's is a debug
    // build); these say how our code was built, which is what the figures depend on.
    benchmark::AddCustomContext("hotbench_suite", suite.name);
    // Two literals, not a string built here: the counting binary's allocations before the measured
    // region stay those of the build the gate's baseline was counted with (the deterministic heap's
    // addresses, and with them memcpy's path, follow the order of every allocation before).
    benchmark::AddCustomContext("hotbench_build_type", alloc::deterministic_heap()
                                                           ? HOTBENCH_BUILD_TYPE "+deterministic_heap"
                                                           : HOTBENCH_BUILD_TYPE);
    benchmark::AddCustomContext("hotbench_cxx_flags", HOTBENCH_CXX_FLAGS);
    benchmark::AddCustomContext("hotbench_compiler", __VERSION__);
    benchmark::AddCustomContext("hotbench_under_valgrind", measure::under_valgrind() ? "true" : "false");
    benchmark::AddCustomContext("hotbench_profile", g_options.profile);
    benchmark::AddCustomContext("hotbench_libraries", kLibraryVersions);
    if (g_options.iterations > 0)
      benchmark::AddCustomContext("hotbench_fixed_iterations", std::to_string(g_options.iterations));
    if (g_options.slowdown > 0)
      benchmark::AddCustomContext("hotbench_injected_slowdown",
                                  g_options.slowdown_pattern + ":" + std::to_string(g_options.slowdown));
    // The suite's settings as given (KEY=VALUE;...; empty for the defaults), so that a raw JSON file alone
    // says what workload ran: `compare` and `check` refuse runs whose settings differ (metadata.workload).
    benchmark::AddCustomContext("hotbench_settings", settings.as_given());
    std::string datasets;
    for (const auto& f : files) datasets += (datasets.empty() ? "" : ";") + f;
    benchmark::AddCustomContext("hotbench_datasets", datasets);
    if (!g_options.hang_pattern.empty()) benchmark::AddCustomContext("hotbench_hang", g_options.hang_pattern);
    register_suite(g_options, settings, files);
    settings.finish();
  } catch (const UsageError& e) {
    std::fprintf(stderr, "hotbench: error: %s\n", e.what());
    return kExitUsage;
  }
  benchmark::RunSpecifiedBenchmarks();
  hotbench::release_cases();
  benchmark::Shutdown();
  return 0;
}

// What a suite binary provides to the shared main() (main.cpp).
#pragma once

#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace hotbench {

// Options the harness takes besides Google Benchmark's own --benchmark_* flags.
struct Options {
  std::vector<std::string> data;  // --hotbench_data=PATH (file or folder; repeatable)
  long iterations = 0;            // --hotbench_iterations=N: fixed count per benchmark (instruction counting)
  bool bare = false;              // --hotbench_bare=true adds the bare-loop rows (harness overhead)
  // --hotbench_slowdown=REGEX:FRACTION: benchmarks whose name matches get FRACTION
  // more work, so the regression gate can be tested against a known slowdown:
  // under valgrind the operation itself is repeated for that share of iterations
  // (exact in instructions); otherwise each iteration busy-waits for that share
  // of the operation's time, measured before timing.
  std::string slowdown_pattern;
  double slowdown = 0;
  // --hotbench_set=KEY=VALUE (repeatable): the suite's own settings (a cache
  // suite's policies or capacities, say). The suite must reject a key it does
  // not know with a UsageError naming it and the keys it knows.
  std::vector<std::pair<std::string, std::string>> settings;
  // --hotbench_announce=true: write `hotbench: start <name>` on stderr when each
  // benchmark begins (again whenever another benchmark ran in between), so the
  // runner knows which benchmark is running when it must kill the process.
  bool announce = false;
  // --hotbench_hang=REGEX (a test hook): benchmarks whose name matches block
  // forever inside their measured region, with every signal blocked and no stop
  // flag polled, so that only SIGKILL from the runner ends them.
  std::string hang_pattern;
};

// Bad flags or unusable input: main() prints one line and exits 2.
struct UsageError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

const Options& options();
void set_options(const Options& options);

// Implemented once per suite binary.
const char* suite_name();
std::vector<std::string> default_data_paths();
void register_suite(const Options& options);  // may throw UsageError

}  // namespace hotbench

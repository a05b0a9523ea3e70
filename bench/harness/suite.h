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
  // --hotbench_profile=quick|default|full: how much of the suite a run covers
  // by default (the sizes of sweeps, which workloads). Settings given
  // explicitly override the profile's choices. The runner passes `./hotbench
  // run --quick/--full` through.
  std::string profile = "default";
  // --hotbench_describe: print the suite's self-description (JSON) and exit.
  bool describe = false;
};

// A metric (a column of the tidy CSV) as the suite binary describes it
// (--hotbench_describe); the Python side reads units and directions from here.
struct MetricInfo {
  std::string name;
  std::string unit;                // explicit: "MB/s (10^6 B/s)", "ns per operation", ...
  std::string better;              // "lower", "higher" or "" (neither)
  std::string kind;                // time, throughput, count, size, fraction or other
  bool deterministic = false;      // an exact count, identical in every repetition of an unchanged program
  std::string meaning;
};

struct TaskInfo {
  std::string name;
  std::string what;  // one line: what a row of this task measures
};

// What a suite is, for --hotbench_describe and for the harness (data files).
struct SuiteInfo {
  std::string name;   // the first part of every benchmark name
  std::string title;  // one line
  std::vector<TaskInfo> tasks;
  std::vector<MetricInfo> metrics;         // counters of this suite beyond the harness's (harness_metrics())
  // Files --hotbench_data accepts, by how their name ends (".json", ".oracleGeneral.bin.zst": a suffix may
  // have several dots); empty: it reads none. A file's dataset name is its name without the longest of them.
  std::vector<std::string> data_suffixes;
  std::vector<std::string> default_data;   // read when no --hotbench_data is given (files or folders)
  std::string gate_filter;  // the instruction-count gate's subset: a POSIX ERE over benchmark names
  // Whether `./hotbench run` runs it without --suite (a suite that needs minutes to start, or the
  // fixture suite of the tests, says false).
  bool default_run = true;
};

// The checkout's generated corpus folder (data/generate.py: data/corpus), a suite's default data
// (SuiteInfo::default_data).
std::string corpus_dir();

// The metrics every suite's rows may carry: the harness derives them (timings,
// rates, allocations, latency percentiles of histogram.h, instruction counts).
const std::vector<MetricInfo>& harness_metrics();

// Bad flags or unusable input: main() prints one line and exits 4 (nothing ran).
struct UsageError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

const Options& options();
// --hotbench_announce: `hotbench: start <name>` on stderr when a row starts after another (runner.cpp).
void announce(const std::string& name);
void set_options(const Options& options);

class Settings;  // settings.h

// Implemented once per suite (its suite.cpp).
const SuiteInfo& suite_info();
// Registers the suite's cases (register_case, case.h) for the data files found
// (--hotbench_data or the default data, expanded by the harness to the files
// with the suite's suffixes), reading its settings through `settings`. Under
// --hotbench_describe the same function runs with registration recorded, not
// performed, so what is described is what would run. May throw UsageError.
void register_suite(const Options& options, Settings& settings, const std::vector<std::string>& data_files);

// The files a list of --hotbench_data paths stands for: a folder gives its
// files with one of `suffixes`, sorted; a file must have one. UsageError naming
// the path otherwise (missing, wrong suffix, a folder without any).
std::vector<std::string> discover_files(const std::vector<std::string>& paths, const std::vector<std::string>& suffixes,
                                        const std::string& suite);

// The longest of `suffixes` the file's name ends with ("" for none): the whole suffix, so that
// "x.oracleGeneral.bin.zst" is a ".oracleGeneral.bin.zst" file, not a ".zst" one.
std::string data_suffix(const std::string& path, const std::vector<std::string>& suffixes);
// A data file's dataset name, the name in its rows: the file name without that suffix
// ("traces/x.oracleGeneral.bin.zst" -> "x"; the file name without its last extension when none matches).
std::string dataset_name(const std::string& path, const std::vector<std::string>& suffixes);

}  // namespace hotbench

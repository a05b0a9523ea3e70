// The contract between the harness and every suite.
//
// A suite describes each benchmark as a Case: work() says what one operation
// processes, check() performs the operation once on the real input and compares
// the result with a reference, and run() is the measured region. The harness
// (runner.cpp) owns everything else: it calls check() before any timing, turns a
// failed check into an error row (no figure), counts allocations in a separate
// pass, times run() with Google Benchmark or counts its instructions under
// callgrind, and derives the rate counters from work(). The same Case object
// feeds every mode, so nothing about a case is written twice.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace hotbench {

// Identity of one benchmark. Its name is suite/task/library[:variant]/dataset,
// followed by /key=value for each parameter of a sweep (capacity=1024,
// threads=2): rows that differ only in parameters belong to one curve. Numeric
// parameters are also reported as counters of the same name, so the tidy CSV
// has them as columns (docs/results-format.md).
struct CaseId {
  std::string suite;
  std::string task;
  std::string library;
  std::string variant;  // empty for a library's default form
  std::string dataset;
  std::vector<std::pair<std::string, std::string>> params;

  std::string implementation() const { return variant.empty() ? library : library + ":" + variant; }
  std::string name() const {
    std::string n = suite + "/" + task + "/" + implementation() + "/" + dataset;
    for (const auto& [key, value] : params) n += "/" + key + "=" + value;
    return n;
  }
};

// What one run() processes. Rates are derived from it.
//
// Suites that handle documents (json) get bytes/s of input and output and
// documents/s. Suites whose items are requests or messages (unit "ops") get
// ops_per_s, ns_per_op and cpu_s_per_million instead, computed by the harness
// from its own wall and process-CPU clocks around the timed loop and the raw
// item count: Google Benchmark 1.7.1's rate counters divide by the benchmark
// thread's CPU time, which is wrong when other threads do the work.
struct Work {
  double input_bytes = 0;
  double output_bytes = 0;  // 0 when the operation produces no bytes
  double items = 0;         // documents, requests or messages handled per operation
  enum class Unit { documents, ops } unit = Unit::documents;
};

using Counters = std::vector<std::pair<std::string, double>>;

// Outcome of a case's self-check.
struct Check {
  std::string error;  // non-empty: the case failed validation; the row is an error
  // Correctness properties the user must see next to the figure (for example
  // how many parsed numbers differ from a correctly rounded parse). They are
  // findings about the library, not harness failures.
  Counters findings;
  std::string label;  // free text shown on the row, e.g. the kernel that ran

  bool ok() const { return error.empty(); }
  static Check failed(std::string why) {
    Check c;
    c.error = std::move(why);
    return c;
  }
};

class Case {
 public:
  virtual ~Case() = default;
  virtual Work work() const = 0;
  virtual Check check() = 0;
  virtual void run() = 0;  // one full operation; must leave nothing undone

  // Figures that come from the timed runs themselves or from a pass of their
  // own: the hit ratio of the requests just timed, latency percentiles from a
  // sampled pass (so the timer's cost stays out of the throughput figure),
  // how many messages a multi-thread run delivered. Called after every timed
  // loop, outside the measured region; reports on the runs since the previous
  // call. Throwing turns the row into an error (a delivery check failed while
  // timed, say).
  virtual Counters observe() { return {}; }
};

// Builds a case: loads inputs, constructs library state. May throw; the
// message becomes the row's error. Called at most once per benchmark per
// process, never inside a measured region.
using CaseFactory = std::function<std::unique_ptr<Case>()>;

// How the row's time is taken. cpu: the benchmark thread's CPU time (single-
// thread cases; steadier). wall: real time, for cases whose work runs on other
// threads or waits (queues, concurrent caches). none: the row carries no time:
// what it reports is what check() found (counts of outcomes: how a format met
// malformed input, say), run() is never called (no timed loop, no allocation
// pass, no instruction count), and the row has the counter `untimed` = 1, by
// which the tidy CSV leaves its timing columns empty (docs/results-format.md),
// so that no figure, answer or gate takes its loop's time for a measurement.
enum class Clock { cpu, wall, none };

void register_case(const CaseId& id, CaseFactory make, Clock clock = Clock::cpu);

// Destroys the case kept for the benchmark that ran last (its threads, connections and servers);
// main() calls it when the benchmarks are done, so that the case ends while everything it uses is
// still there, not during static destruction after the exit handlers: a client library may tear
// its global state down in one (libnats does), and the case's connections must not outlive it.
void release_cases();

}  // namespace hotbench

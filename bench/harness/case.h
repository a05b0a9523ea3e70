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

// Identity of one benchmark. Its name is suite/task/library[:variant]/dataset.
struct CaseId {
  std::string suite;
  std::string task;
  std::string library;
  std::string variant;  // empty for a library's default form
  std::string dataset;

  std::string implementation() const { return variant.empty() ? library : library + ":" + variant; }
  std::string name() const { return suite + "/" + task + "/" + implementation() + "/" + dataset; }
};

// What one run() processes. Rates are derived from it: bytes/s of input and
// output, documents (items) per second.
struct Work {
  double input_bytes = 0;
  double output_bytes = 0;  // 0 when the operation produces no bytes
  double items = 0;         // documents or messages handled per operation
};

// Outcome of a case's self-check.
struct Check {
  std::string error;  // non-empty: the case failed validation; the row is an error
  // Correctness properties the user must see next to the figure (for example
  // how many parsed numbers differ from a correctly rounded parse). They are
  // findings about the library, not harness failures.
  std::vector<std::pair<std::string, double>> findings;
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
};

// Builds a case: loads inputs, constructs library state. May throw; the
// message becomes the row's error. Called at most once per benchmark per
// process, never inside a measured region.
using CaseFactory = std::function<std::unique_ptr<Case>()>;

void register_case(const CaseId& id, CaseFactory make);

}  // namespace hotbench

// Rows that carry no time (Clock::none, case.h): registered by register_case, run here. A file of
// their own, so that the timed rows' code (runner.cpp) compiles as it did without them: a function
// added to runner.cpp moved the instruction count of every gate row by one per run.
#pragma once

#include <benchmark/benchmark.h>

#include "case.h"

namespace hotbench {

// Registers the row: one iteration of an empty loop (Google Benchmark would otherwise spin it for its
// minimum time) and one repetition (what a check finds is the same every time). The case is made and
// checked once per process; a failed check or a throwing factory is an error row, else the row reports
// the check's findings and label, its numeric parameters and the counter `untimed` = 1.
void register_untimed(const CaseId& id, CaseFactory make);

// The row's numeric parameters (capacity=65536, ...) as counters, for every kind of row (runner.cpp).
void report_params(benchmark::State& state, const CaseId& id);

}  // namespace hotbench

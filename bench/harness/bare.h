// Bare rows (--hotbench_bare): a case's work timed without the harness around it, so that comparing
// a row `<suite>/<task>/...` with its twin `<suite>/<task>_bare/...` measures what the harness costs
// (scripts/hotbench/overhead.py).
//
// The harness's row calls run() through the Case interface once per operation (a virtual call: the
// object's vtable read, then an indirect call) inside run_case's bookkeeping (runner.cpp). The bare
// row makes, checks and reports the same case from the same factory, then times a loop of its own
// that calls the run() the case's vtable names, resolved once before timing (GCC's bound-member-
// function extraction): the same compiled run(), the same instructions for the work, neither the
// per-operation dispatch nor the harness's branches. It is not a copy of run() inlined into the
// loop: compiled into the suite's translation units, such a copy changes how GCC compiles the rows
// beside it (the instruction-count gate's; docs/serial.md, "Harness overhead").
#pragma once

#include "case.h"

namespace hotbench {

// Registers the bare twin of the row `of`: `<suite>/<task>_bare/...`, the rest of the name as `of`'s
// (how overhead.py pairs them), its case from `make` (the row's own factory). The case is checked as
// the harness checks it (a failed check or a throwing factory is an error row) and run once untimed
// (the steady state the harness's allocation pass leaves its case in: buffers grown), then timed or
// counted (measure.h); the row reports the counters of work() and check(), without an allocation
// pass. Described (--hotbench_describe), announced (--hotbench_announce) and given
// --hotbench_iterations like a case. A suite registers bare rows only under --hotbench_bare
// (options().bare).
void register_bare(const CaseId& of, CaseFactory make);

}  // namespace hotbench

// The measured region's boundary for instruction counting. Outside valgrind the
// client requests are a few no-op instructions; under
// `valgrind --tool=callgrind --instr-atstart=no` only the code between begin()
// and end() is counted, and each benchmark is dumped under its own name.
#pragma once

#include <string>

namespace hotbench::measure {

bool under_valgrind();
void begin();
void end(const std::string& benchmark_name);

}  // namespace hotbench::measure

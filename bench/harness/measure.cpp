#include "measure.h"

#include <valgrind/callgrind.h>
#include <valgrind/valgrind.h>

namespace hotbench::measure {

bool under_valgrind() { return RUNNING_ON_VALGRIND != 0; }

void begin() {
  CALLGRIND_ZERO_STATS;
  CALLGRIND_START_INSTRUMENTATION;
}

void end(const std::string& benchmark_name) {
  CALLGRIND_STOP_INSTRUMENTATION;
  if (under_valgrind()) CALLGRIND_DUMP_STATS_AT(benchmark_name.c_str());
}

}  // namespace hotbench::measure

// Clock (policies/clock.h), registered counting entries. Its sized twin is
// registered from clock_sized.cpp: another translation unit, so adding it left
// this one's code, and the instruction counts of its rows, as they were.
#include "clock.h"

#include "../cases.h"

namespace hotbench::cache {

HOTBENCH_REGISTER(Clock) { ::hotbench::cache::add_policy<Clock>("clock"); }
}  // namespace hotbench::cache

// Clock (policies/clock.h) with objects of a size: capacities in entries or bytes.
#include "clock.h"

#include "../cases.h"

namespace hotbench::cache {

HOTBENCH_REGISTER(ClockSized) { ::hotbench::cache::add_sized_policy<Clock>("clock"); }
}  // namespace hotbench::cache

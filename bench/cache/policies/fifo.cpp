// Fifo (policies/fifo.h), registered counting entries. Its sized twin is
// registered from fifo_sized.cpp: another translation unit, so adding it left
// this one's code, and the instruction counts of its rows, as they were.
#include "fifo.h"

#include "../cases.h"

namespace hotbench::cache {

HOTBENCH_REGISTER(Fifo) { ::hotbench::cache::add_policy<Fifo>("fifo"); }
}  // namespace hotbench::cache

// Fifo (policies/fifo.h) with objects of a size: capacities in entries or bytes.
#include "fifo.h"

#include "../cases.h"

namespace hotbench::cache {

HOTBENCH_REGISTER(FifoSized) { ::hotbench::cache::add_sized_policy<Fifo>("fifo"); }
}  // namespace hotbench::cache

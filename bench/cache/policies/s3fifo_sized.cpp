// S3Fifo (policies/s3fifo.h) with objects of a size: capacities in entries or bytes.
#include "s3fifo.h"

#include "../cases.h"

namespace hotbench::cache {

HOTBENCH_REGISTER(S3FifoSized) { ::hotbench::cache::add_sized_policy<S3Fifo>("s3fifo"); }
}  // namespace hotbench::cache

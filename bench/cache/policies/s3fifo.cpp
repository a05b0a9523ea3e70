// S3Fifo (policies/s3fifo.h), registered counting entries. Its sized twin is
// registered from s3fifo_sized.cpp: another translation unit, so adding it left
// this one's code, and the instruction counts of its rows, as they were.
#include "s3fifo.h"

#include "../cases.h"

namespace hotbench::cache {

HOTBENCH_REGISTER(S3Fifo) { ::hotbench::cache::add_policy<S3Fifo>("s3fifo"); }
}  // namespace hotbench::cache

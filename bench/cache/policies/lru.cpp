// Lru (policies/lru.h), registered counting entries. Its sized twin is
// registered from lru_sized.cpp: another translation unit, so adding it left
// this one's code, and the instruction counts of its rows, as they were.
#include "lru.h"

#include "../cases.h"

namespace hotbench::cache {

HOTBENCH_REGISTER(Lru) { ::hotbench::cache::add_policy<Lru>("lru"); }
}  // namespace hotbench::cache

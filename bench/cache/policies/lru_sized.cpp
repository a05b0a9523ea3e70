// Lru (policies/lru.h) with objects of a size: capacities in entries or bytes.
#include "lru.h"

#include "../cases.h"

namespace hotbench::cache {

HOTBENCH_REGISTER(LruSized) { ::hotbench::cache::add_sized_policy<Lru>("lru"); }
}  // namespace hotbench::cache

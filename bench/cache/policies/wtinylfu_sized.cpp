// W-TinyLFU (policies/wtinylfu.h) with objects of a size: capacities in entries or bytes.
#include "wtinylfu.h"

#include "../cases.h"

namespace hotbench::cache {

HOTBENCH_REGISTER(WTinyLfuSized) { ::hotbench::cache::add_sized_policy<WTinyLfu>("wtinylfu"); }
}  // namespace hotbench::cache

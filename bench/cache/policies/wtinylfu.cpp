// W-TinyLFU, registered with its default rules (the policy is in wtinylfu.h,
// where the tests can also build it with altered rules).
#include "wtinylfu.h"

#include "../cases.h"

namespace hotbench::cache {

HOTBENCH_REGISTER(WTinyLfu) { ::hotbench::cache::add_policy<WTinyLfu>("wtinylfu"); }
}  // namespace hotbench::cache

// Sieve (policies/sieve.h) with objects of a size: capacities in entries or bytes.
#include "sieve.h"

#include "../cases.h"

namespace hotbench::cache {

HOTBENCH_REGISTER(SieveSized) { ::hotbench::cache::add_sized_policy<Sieve>("sieve"); }
}  // namespace hotbench::cache

// Sieve (policies/sieve.h), registered counting entries. Its sized twin is
// registered from sieve_sized.cpp: another translation unit, so adding it left
// this one's code, and the instruction counts of its rows, as they were.
#include "sieve.h"

#include "../cases.h"

namespace hotbench::cache {

HOTBENCH_REGISTER(Sieve) { ::hotbench::cache::add_policy<Sieve>("sieve"); }
}  // namespace hotbench::cache

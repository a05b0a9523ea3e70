// Counts heap allocations made by any code in the process (C++ operator new,
// RapidJSON's CrtAllocator, simdjson's buffers...) while counting is on.
//
// Counting happens at the malloc level because several libraries never go
// through operator new. The hooks are compiled out under sanitizers (they
// replace malloc themselves); `available()` then returns false and the harness
// reports the allocation counters as missing rather than as zero.
#pragma once

#include <cstdint>

namespace hotbench::alloc {

struct Totals {
  std::uint64_t allocations = 0;  // calls to malloc/calloc/realloc/aligned allocs
  std::uint64_t bytes = 0;        // bytes requested by those calls
};

bool available();
// Whether this binary's malloc is the deterministic heap (the counting binaries, for callgrind): the
// objects are the timed binary's, so only this says which of the two a process is.
bool deterministic_heap();
void start();   // zeroes the totals and starts counting
Totals stop();  // stops counting and returns what was counted since start()

}  // namespace hotbench::alloc

// A malloc for the instruction-count binaries (build/release/counting), whose cost
// and alignment do not depend on the heap's history.
//
// With glibc's malloc, the instructions one benchmark executes depended on
// what was allocated before it: the length of the data path or of the host
// name changed bin searches, chunk splitting and the 64-byte alignment of
// buffers (which changes memcpy's and SIMD parsers' paths). Two checkouts of
// the same commit counted up to 5 % apart, enough to fail the 1 % gate.
//
// This allocator has segregated size classes with LIFO free lists and a bump
// arena: malloc is "pop the class's list, or bump", free is "push", whatever
// came before; every block starts on a 64-byte boundary. It never returns
// memory to the system, which suits short, fixed-iteration counting runs. It
// is not meant for timing (glibc's malloc is what users get), so only the
// counting binaries link it (CMakeLists.txt: hotbench_deterministic_heap).
#pragma once

#include <cstddef>

namespace hotbench::deterministic_heap {

void* allocate(std::size_t size, std::size_t alignment = 64);  // nullptr when out of memory
void release(void* p);
void* reallocate(void* p, std::size_t size);
std::size_t usable_size(const void* p);

}  // namespace hotbench::deterministic_heap

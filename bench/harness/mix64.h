// splitmix64's finalizer: a fast bijection of 64-bit values, shared by every
// suite that needs a hash of its own (JSON's shape hash, the cache's key hash).
#pragma once

#include <cstdint>

namespace hotbench {

inline std::uint64_t mix64(std::uint64_t x) {
  x ^= x >> 30;
  x *= 0xbf58476d1ce4e5b9ULL;
  x ^= x >> 27;
  x *= 0x94d049bb133111ebULL;
  x ^= x >> 31;
  return x;
}

}  // namespace hotbench

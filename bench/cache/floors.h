// Physical floors measured in the same run as the caches (task `floor`):
// dependent loads over working sets sized for L1, L2, the last-level cache and
// DRAM, and a bare lookup in each hash map, so a cache's hit cost can be read
// against what the machine and the map alone cost.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "../harness/case.h"

namespace hotbench::cache {

struct ChaseLevel {
  std::string name;  // l1, l2, llc, dram
  std::size_t bytes;
};
// Half of each cache level (sysconf, with common sizes as fallback) and DRAM
// (twice the last level, at least 256 MiB).
std::vector<ChaseLevel> chase_levels();

// One run() = kChaseHops dependent loads around a random cyclic permutation of
// 64-byte nodes filling `bytes`.
CaseFactory pointer_chase(std::size_t bytes, std::uint64_t seed);
inline constexpr std::size_t kChaseHops = 1 << 20;

// Bare map lookups: `entries` keys mix64(0..entries-1) -> slot, looked up by a
// uniform stream of `lookups` of those keys (the `resident` hit rows' stream);
// with value_bytes > 0 each lookup also reads its value from a slab, like a hit.
using RawLookupMaker =
    std::function<CaseFactory(std::size_t entries, std::size_t lookups, std::uint64_t seed, std::size_t value_bytes)>;
std::map<std::string, RawLookupMaker> raw_lookups();

// The `resident` stream: uniform over ids 0..entries-1, seeded.
std::vector<std::uint32_t> resident_stream(std::size_t entries, std::size_t count, std::uint64_t seed);

}  // namespace hotbench::cache

// absl::flat_hash_map (Abseil, Debian 12) as a cache index: Swiss table.
#pragma once

#include <absl/container/flat_hash_map.h>

#include "map_index.h"

namespace hotbench::cache {

template <class Key>
using AbslFlatIndex = MapIndex<absl::flat_hash_map, Key>;

}  // namespace hotbench::cache

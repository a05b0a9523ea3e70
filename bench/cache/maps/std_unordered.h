// std::unordered_map as a cache index: node-based, one allocation per entry.
#pragma once

#include <unordered_map>

#include "map_index.h"

namespace hotbench::cache {

template <class Key>
using StdUnorderedIndex = MapIndex<std::unordered_map, Key>;

}  // namespace hotbench::cache

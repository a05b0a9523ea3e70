// boost::unordered_flat_map (Boost 1.81) as a cache index: open addressing,
// SIMD-probed groups of 15, entries stored inline.
#pragma once

#include <boost/unordered/unordered_flat_map.hpp>

#include "map_index.h"

namespace hotbench::cache {

template <class Key>
using BoostFlatIndex = MapIndex<boost::unordered_flat_map, Key>;

}  // namespace hotbench::cache

// Every index a policy can run over. Adding a map: one header in this folder
// naming it as a MapIndex (map_index.h; or a class with the same members) and
// one line below.
#pragma once

#include "absl_flat.h"
#include "boost_flat.h"
#include "std_unordered.h"

namespace hotbench::cache {

// Calls f.template operator()<IndexTemplate>(name) for every map.
template <class F>
void for_each_map(F&& f) {
  f.template operator()<StdUnorderedIndex>("std_unordered");
  f.template operator()<BoostFlatIndex>("boost_flat");
  f.template operator()<AbslFlatIndex>("absl_flat");
}

}  // namespace hotbench::cache

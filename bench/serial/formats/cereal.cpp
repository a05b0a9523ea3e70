// cereal: the adapter is cereal.h.
#include "cereal.h"

namespace hotbench::serial {

HOTBENCH_REGISTER(cereal) {
  add_format<Cereal<cereal::BinaryOutputArchive, cereal::BinaryInputArchive>>("cereal", "binary");
  add_format<Cereal<cereal::PortableBinaryOutputArchive, cereal::PortableBinaryInputArchive>>("cereal", "portable");
}

}  // namespace hotbench::serial

// boost_serialization: the adapter is boost_serialization.h.
#include "boost_serialization.h"

namespace hotbench::serial {

HOTBENCH_REGISTER(boost_serialization) { add_format<BoostSerialization>("boost_serialization"); }

}  // namespace hotbench::serial

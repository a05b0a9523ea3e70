// MessagePack: the adapter is msgpack.h.
#include "msgpack.h"

namespace hotbench::serial {

HOTBENCH_REGISTER(msgpack) { add_format<MessagePack>("msgpack"); }

}  // namespace hotbench::serial

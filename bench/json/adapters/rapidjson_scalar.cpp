// RapidJSON 1.1.0 without SIMD, for its writer: the SSE4.2 writer emits invalid
// JSON (see rapidjson.cpp). A separate namespace keeps these template
// instances apart from the SSE4.2 ones in rapidjson.cpp.
#undef RAPIDJSON_SSE42
#define RAPIDJSON_NAMESPACE rapidjson_scalar
#include "rapidjson_adapter.h"

namespace hotbench::json {

HOTBENCH_JSON_REGISTER(rapidjson_scalar) {
  serialize<RapidJson<kPrecise>>("rapidjson");
}

}  // namespace hotbench::json

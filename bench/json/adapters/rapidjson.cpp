// RapidJSON 1.1.0 parsing with its SSE4.2 whitespace skipping. See
// rapidjson_adapter.h for the variants.
//
// Its SSE4.2 *writer* is broken: it treats only bytes <= 0x19 as control
// characters (writer.h, the `space` constant), so U+001A..U+001F come out
// unescaped: invalid JSON. serialize/rapidjson therefore uses the scalar writer
// (rapidjson_scalar.cpp); rapidjson_findings_test.cpp pins the bug.
#include "rapidjson_adapter.h"

namespace hotbench::json {

HOTBENCH_JSON_REGISTER(rapidjson) {
  parse<RapidJson<rj::kParseDefaultFlags>>("rapidjson");
  parse<RapidJson<kPrecise>>("rapidjson", "precise");
  parse<RapidJsonInsitu>("rapidjson", "insitu");
}

}  // namespace hotbench::json

// The RapidJSON 1.1.0 Writer that writes valid JSON.
//
// Its SSE2/SSE4.2 string scan, a specialization for exactly Writer<StringBuffer>,
// finds control characters with max(c, 0x19) == 0x19, so U+001A..U+001F inside
// an aligned 16-byte block are copied raw: invalid JSON. Any other Writer type
// takes the scalar scan, which escapes them; a stack allocator of a distinct
// type changes nothing else, and parsing keeps its SSE4.2 whitespace skipping.
// bench/json/tests/rapidjson_findings_test.cpp pins the bug.
#pragma once

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

namespace hotbench::json {

struct ScalarScanStackAllocator : rapidjson::CrtAllocator {};
using RapidjsonWriter =
    rapidjson::Writer<rapidjson::StringBuffer, rapidjson::UTF8<>, rapidjson::UTF8<>, ScalarScanStackAllocator>;

}  // namespace hotbench::json

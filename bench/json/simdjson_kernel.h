// Which kernel simdjson On-Demand runs in *our* code. On-Demand is compiled
// into the caller with the caller's -march, so the answer is this translation
// unit's SIMDJSON_BUILTIN_IMPLEMENTATION; simdjson::builtin_implementation()
// answers for Debian's shared library instead (built for the scalar fallback).
#pragma once

#include <simdjson.h>

#include <stdexcept>
#include <string_view>

#define HOTBENCH_SIMDJSON_STR2(x) #x
#define HOTBENCH_SIMDJSON_STR(x) HOTBENCH_SIMDJSON_STR2(x)

namespace hotbench::json {

inline constexpr std::string_view kOndemandKernel = HOTBENCH_SIMDJSON_STR(SIMDJSON_BUILTIN_IMPLEMENTATION);

// On-Demand must never quietly measure its scalar fallback.
inline void require_simd_ondemand() {
  if (kOndemandKernel == "fallback")
    throw std::runtime_error(
        "simdjson On-Demand was compiled for its scalar fallback kernel; build with -march=haswell or newer");
}

}  // namespace hotbench::json

# What the json suite needs beyond its folder and its rows of cmake/dependencies.tsv.
# Every file of the suite (and its binaries) parses with std::string support and, unless the build
# targets plain x86-64, RapidJSON's SSE4.2 whitespace skipping.
target_compile_definitions(hotbench_json_suite PUBLIC RAPIDJSON_HAS_STDSTRING=1
  $<$<NOT:$<STREQUAL:${HOTBENCH_MARCH},x86-64>>:RAPIDJSON_SSE42>)

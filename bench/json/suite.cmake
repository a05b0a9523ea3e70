# What the json suite needs beyond its folder and its rows of cmake/dependencies.tsv.
# Every file of the suite (and its binaries) parses with std::string support and, unless the build
# targets plain x86-64, RapidJSON's SSE4.2 whitespace skipping.
target_compile_definitions(hotbench_json_suite PUBLIC RAPIDJSON_HAS_STDSTRING=1
  $<$<NOT:$<STREQUAL:${HOTBENCH_MARCH},x86-64>>:RAPIDJSON_SSE42>)
# Only this file names the checkout's path, so the other files compile identically (and hit the
# compiler cache) in any clone.
set_source_files_properties(${CMAKE_SOURCE_DIR}/bench/json/suite.cpp PROPERTIES
  COMPILE_DEFINITIONS HOTBENCH_DEFAULT_DATA="${CMAKE_SOURCE_DIR}/data/corpus")

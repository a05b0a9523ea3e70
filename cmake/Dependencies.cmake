# Every dependency is a Debian 12 package. A missing one stops the configure
# step with the package to install, instead of a wall of find_package output.
# ./hotbench installs them all (as root) or prints the apt-get line first.

function(hotbench_missing what package)
  message(FATAL_ERROR "hotbench: ${what} not found. Install the Debian package: apt-get install ${package}")
endfunction()

find_package(benchmark QUIET)
if(NOT benchmark_FOUND)
  hotbench_missing("Google Benchmark" libbenchmark-dev)
endif()

find_package(GTest QUIET)
if(NOT GTest_FOUND)
  hotbench_missing("GoogleTest" libgtest-dev)
endif()

# Boost 1.81 specifically: Debian's default libboost-dev is 1.74, which has
# neither Boost.JSON nor unordered_flat_map (and conflicts with 1.81).
find_package(Boost 1.81.0...<1.82 QUIET CONFIG COMPONENTS json)
if(NOT Boost_FOUND)
  hotbench_missing("Boost 1.81 with Boost.JSON" "libboost1.81-dev libboost-json1.81-dev")
endif()

find_package(RapidJSON QUIET CONFIG)
if(NOT RapidJSON_FOUND)
  hotbench_missing("RapidJSON" rapidjson-dev)
endif()
if(NOT TARGET RapidJSON::RapidJSON)
  add_library(RapidJSON::RapidJSON INTERFACE IMPORTED)
  set_target_properties(RapidJSON::RapidJSON PROPERTIES INTERFACE_INCLUDE_DIRECTORIES "${RAPIDJSON_INCLUDE_DIRS}")
endif()

find_package(simdjson QUIET CONFIG)
if(NOT simdjson_FOUND)
  hotbench_missing("simdjson" libsimdjson-dev)
endif()

find_package(nlohmann_json 3.11 QUIET CONFIG)
if(NOT nlohmann_json_FOUND)
  hotbench_missing("nlohmann/json" nlohmann-json3-dev)
endif()

find_path(HOTBENCH_VALGRIND_INCLUDE valgrind/callgrind.h)
if(NOT HOTBENCH_VALGRIND_INCLUDE)
  hotbench_missing("valgrind's client-request header <valgrind/callgrind.h>" valgrind)
endif()

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

# --- caching and queueing suites -----------------------------------------------
find_package(absl QUIET CONFIG)
if(NOT absl_FOUND)
  hotbench_missing("Abseil (absl::flat_hash_map)" libabsl-dev)
endif()

find_package(TBB QUIET CONFIG)
if(NOT TBB_FOUND)
  hotbench_missing("oneTBB" libtbb-dev)
endif()

find_path(HOTBENCH_CONCURRENTQUEUE_INCLUDE concurrentqueue/concurrentqueue.h)
if(NOT HOTBENCH_CONCURRENTQUEUE_INCLUDE)
  hotbench_missing("moodycamel ConcurrentQueue" libconcurrentqueue-dev)
endif()
find_path(HOTBENCH_READERWRITERQUEUE_INCLUDE readerwriterqueue/readerwriterqueue.h)
if(NOT HOTBENCH_READERWRITERQUEUE_INCLUDE)
  hotbench_missing("moodycamel ReaderWriterQueue" libreaderwriterqueue-dev)
endif()
find_path(HOTBENCH_XENIUM_INCLUDE xenium/michael_scott_queue.hpp)
if(NOT HOTBENCH_XENIUM_INCLUDE)
  hotbench_missing("xenium" libxenium-dev)
endif()
# libcds: Debian's LibCDSConfig.cmake points at /usr/lib64/libcds.so.2.3.3, which
# the package does not ship (it installs into /usr/lib/x86_64-linux-gnu), so
# find_package(LibCDS) fails; find the header and the library directly.
find_path(HOTBENCH_CDS_INCLUDE cds/container/vyukov_mpmc_cycle_queue.h)
find_library(HOTBENCH_CDS_LIBRARY cds)
if(NOT HOTBENCH_CDS_INCLUDE OR NOT HOTBENCH_CDS_LIBRARY)
  hotbench_missing("libcds" libcds-dev)
endif()
add_library(hotbench_cds INTERFACE)
target_include_directories(hotbench_cds SYSTEM INTERFACE "${HOTBENCH_CDS_INCLUDE}")
target_link_libraries(hotbench_cds INTERFACE "${HOTBENCH_CDS_LIBRARY}")

# atomic_queue: Debian's libatomic-queue-dev declares a dependency on
# libboost-dev (1.74), which conflicts with Boost 1.81, so the package cannot be
# installed here. Its headers are all we need: download the .deb (no root
# needed) and unpack it once into build/third_party, shared by every preset.
set(HOTBENCH_ATOMIC_QUEUE_ROOT "${CMAKE_SOURCE_DIR}/build/third_party/atomic-queue")
set(HOTBENCH_ATOMIC_QUEUE_INCLUDE "${HOTBENCH_ATOMIC_QUEUE_ROOT}/usr/include")
if(NOT EXISTS "${HOTBENCH_ATOMIC_QUEUE_INCLUDE}/atomic_queue/atomic_queue.h")
  set(download "${CMAKE_SOURCE_DIR}/build/third_party/download")
  file(REMOVE_RECURSE "${download}" "${HOTBENCH_ATOMIC_QUEUE_ROOT}")
  file(MAKE_DIRECTORY "${download}")
  execute_process(COMMAND apt-get download libatomic-queue-dev WORKING_DIRECTORY "${download}"
                  RESULT_VARIABLE rc OUTPUT_QUIET ERROR_VARIABLE err)
  file(GLOB deb "${download}/libatomic-queue-dev_*.deb")
  if(NOT rc EQUAL 0 OR NOT deb)
    message(FATAL_ERROR "hotbench: cannot fetch atomic_queue's headers with `apt-get download libatomic-queue-dev` "
                        "(run `apt-get update` first?): ${err}")
  endif()
  execute_process(COMMAND dpkg-deb -x "${deb}" "${HOTBENCH_ATOMIC_QUEUE_ROOT}" RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0 OR NOT EXISTS "${HOTBENCH_ATOMIC_QUEUE_INCLUDE}/atomic_queue/atomic_queue.h")
    message(FATAL_ERROR "hotbench: unpacking ${deb} did not give atomic_queue/atomic_queue.h")
  endif()
  get_filename_component(deb_name "${deb}" NAME)
  file(WRITE "${HOTBENCH_ATOMIC_QUEUE_ROOT}/SOURCE" "${deb_name}\n")
  file(REMOVE_RECURSE "${download}")
endif()
add_library(hotbench_atomic_queue INTERFACE)
target_include_directories(hotbench_atomic_queue SYSTEM INTERFACE "${HOTBENCH_ATOMIC_QUEUE_INCLUDE}")

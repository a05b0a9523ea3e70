# The concurrent caches (bench/cache/concurrent) run threads: build and test them under
# ThreadSanitizer too (the tsan preset).
set(SUITE_CONCURRENT ON)
# Left out of the ThreadSanitizer build (not compiled): the files whose code runs one thread, so TSan
# could find nothing in it, and the test files made only of such cases (the Zipf oracle alone took
# 18 s under TSan; the query cache's cases, one client thread against SQLite or a PostgreSQL server,
# 19 s). ASan and the optimized build build and run them all. Built still: LRU (the in-process
# server's store) and S3-FIFO (the sharded cache's, by name from the registry), whose rows TSan runs,
# each with the sized twin the registry requires. The rest was 120 CPU-s of a cold TSan build.
file(GLOB SUITE_TSAN_UNBUILT ${dir}/policies/*.cpp)
list(REMOVE_ITEM SUITE_TSAN_UNBUILT ${dir}/policies/lru.cpp ${dir}/policies/lru_sized.cpp
     ${dir}/policies/s3fifo.cpp ${dir}/policies/s3fifo_sized.cpp)
foreach(test oracle policies query sized trace workload wtinylfu)
  list(APPEND SUITE_TSAN_UNBUILT ${dir}/tests/${test}_test.cpp)
endforeach()
# Test cases left out under ASan, run by the optimized build (in a tenth of the time): the Zipf
# oracle test (38 million requests through every policy, 23 s under ASan) checks hit ratios against
# closed-form formulas, and the W-TinyLFU mutation test (7 s) that the model test notices altered rules
# of the test's own; ASan checks memory, and the code they run is run under it by the other tests
# (every policy over every map and key type against its reference model, the registered W-TinyLFU
# rules against the model, the oracles in every row's check()).
set(SUITE_ASAN_SKIP "Oracle.PoliciesUnderZipfMatchTheirFormulas:WTinyLfuModel.EachAlteredRuleIsCaught")
# Its smoke run under ThreadSanitizer: the tasks that run threads (the rest run in the asan and
# release smoke runs).
set(SUITE_TSAN_SMOKE_SETTINGS "tasks=concurrent,server_get,server_set")
# Its rows' checks and its tests replay millions of requests through every policy and map: at the asan
# preset's -O0 that code made the ASan smoke run and tests 97 CPU-s slower, more than -O1 costs to
# compile. The servers, the query cache and the registrations wait on sockets and databases: -O0.
file(GLOB SUITE_SANITIZED_O1 ${dir}/policies/*.cpp ${dir}/concurrent/*.cpp)
list(APPEND SUITE_SANITIZED_O1 ${dir}/trace.cpp ${dir}/workload.cpp ${dir}/oracle.cpp ${dir}/floors.cpp)

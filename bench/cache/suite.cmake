# The concurrent caches (bench/cache/concurrent) run threads: build and test them under
# ThreadSanitizer too (the tsan preset).
set(SUITE_CONCURRENT ON)
# Test cases left out under ThreadSanitizer: they run one thread, so TSan could find nothing in
# them, and they are the slowest under it (the Zipf oracle alone took 18 s; the query cache's cases,
# one client thread against SQLite or a PostgreSQL server, 19 s). ASan and the optimized build run
# them all.
set(SUITE_TSAN_SKIP "Oracle.*:WTinyLfuModel.*:Cache/EveryPolicy.*:Registry.*:ScanResistance.*:SizedCaches.*:CsvTrace.*:OracleGeneralTrace.*:TextTrace.*:TraceReplay.*:Workload.*:QueryCache.*")
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

# The concurrent caches (bench/cache/concurrent) run threads: build and test them under
# ThreadSanitizer too (the tsan preset).
set(SUITE_CONCURRENT ON)
# Test cases left out under ThreadSanitizer: they run one thread, so TSan could find nothing in
# them, and they are the slowest under it (the Zipf oracle alone took 18 s; the query cache's cases,
# one client thread against SQLite or a PostgreSQL server, 19 s). ASan and the optimized build run
# them all.
set(SUITE_TSAN_SKIP "Oracle.*:WTinyLfuModel.*:Cache/EveryPolicy.*:Registry.*:ScanResistance.*:SizedCaches.*:CsvTrace.*:OracleGeneralTrace.*:TextTrace.*:TraceReplay.*:Workload.*:QueryCache.*")
# Its smoke run under ThreadSanitizer: the tasks that run threads (the rest run in the asan and
# release smoke runs).
set(SUITE_TSAN_SMOKE_SETTINGS "tasks=concurrent,server_get,server_set")

# The concurrent caches (bench/cache/concurrent) run threads: build and test them under
# ThreadSanitizer too (the tsan preset).
set(SUITE_CONCURRENT ON)

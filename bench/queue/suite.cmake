# Queues run threads: build and test them under ThreadSanitizer too (the tsan preset).
set(SUITE_CONCURRENT ON)
# GCC's -Wtsan flags the std::atomic_thread_fence calls inside moodycamel's and Boost.Lockfree's
# headers (TSan does not model fences); those reports are the libraries' (tsan_suppressions.cpp),
# not warnings about our code.
if(HOTBENCH_TSAN)
  target_compile_options(hotbench_queue_suite PRIVATE -Wno-tsan)
endif()

# Not built under ThreadSanitizer (SUITE_CONCURRENT stays OFF), although it runs threads: its client
# libraries run threads of their own (libnats's reader and flusher, ZeroMQ's I/O thread) in code built
# without TSan, which TSan cannot see into, so it would report their hand-offs as races or miss them.
# The harness code it shares with the queue suite (Crew, Delivery) is tested under TSan there.
set(SUITE_CONCURRENT OFF)
# The tests that start brokers run under ASan only, where their client code is checked: in the
# optimized build they repeated the same promises against the same brokers (25 CPU-s, a third of that
# preset's tests), and the optimized client code is checked by the release smoke run, whose every row
# checks its delivery promise. A system whose broker costs seconds of CPU to start (RabbitMQ's Erlang
# VM: 5-7 CPU-s a start, two starts) is tested on one shared broker, also under ASan only.
set(SUITE_RELEASE_SKIP "CostlyServer.*:*/EverySystem.*:*/ConsumerFault.*:*/PersistedSystem.*")
# Its test shards wait on brokers most of their time (under ASan 26-73 s each, the longest tests of the
# preset): started first, their waits overlap the other tests. Started last in a fresh clone (CTest has
# no timings there to order by), the longest ended the ASan tests 16 s after the rest, a core idle.
set(SUITE_TEST_COST 1500)
# Each client library's file has its own file-local Connection, Reader, kSetUp, kWindow...: merged into one
# unit by the sanitizer presets, they would clash.
set(SUITE_UNITY_CODE OFF)

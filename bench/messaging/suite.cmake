# Not built under ThreadSanitizer (SUITE_CONCURRENT stays OFF), although it runs threads: its client
# libraries run threads of their own (libnats's reader and flusher, ZeroMQ's I/O thread) in code built
# without TSan, which TSan cannot see into, so it would report their hand-offs as races or miss them.
# The harness code it shares with the queue suite (Crew, Delivery) is tested under TSan there.
set(SUITE_CONCURRENT OFF)

// The clock every latency histogram of the suites records with (queue,
// messaging): steady_clock in nanoseconds, and what one read of it costs, which
// the latency rows subtract (a timed interval includes about one clock read).
#pragma once

#include <chrono>
#include <cstdint>

namespace hotbench {

inline std::uint64_t now_ns() {
  return static_cast<std::uint64_t>(
      std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch())
          .count());
}

// The cost of one now_ns() on this machine, measured once per process (the
// best of 20 rounds of 1000 reads).
double clock_read_ns();

}  // namespace hotbench

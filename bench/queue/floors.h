// The hardware-floor rows (floors.cpp): how fast two threads can hand off at
// all on this machine, to express each queue's latency as a multiple of it.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "contract.h"

namespace hotbench::queue {

struct Floor {
  std::string name;      // cache_line, futex, mutex_cv, clock
  Wait wait;             // how the ping-pong waits (cache_line spins, as the queues' ping-pong rows; futex and mutex_cv sleep)
  bool two_threads;      // false: a single-thread row (clock)
  std::function<std::unique_ptr<Case>(const Scenario&)> make;
};
std::vector<Floor> floors();

}  // namespace hotbench::queue

// The queueing suite's contract with its queue adapters.
//
// An adapter is a class template over the message type that owns only library
// calls; the drivers (driver.h) own threads, timing, delivery checks and the
// watchdog. Adding a queue is one file in adapters/ and one registration line:
//
//   template <class T>
//   class BoostSpsc {
//    public:
//     static constexpr Capabilities caps{.spsc_only = true, .bounded = true};
//     explicit BoostSpsc(std::size_t capacity);  // unbounded queues may take it as a size hint
//     bool try_push(const T& message);            // false when full (bounded queues)
//     bool try_pop(T& out);                       // false when empty
//     // caps.blocking only: wait at most `timeout` for a message (the drivers
//     // poll their stop flag between waits, so a hang stays bounded).
//     bool pop_wait(T& out, std::chrono::microseconds timeout);
//   };
//   HOTBENCH_REGISTER(boost_spsc) { add_queue<BoostSpsc>("boost_spsc"); }
//
// A queue that is not spsc_only must allow any number of producers and
// consumers at once. The drivers never call a method a capability rules out.
#pragma once

#include "../harness/registry.h"

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "../harness/case.h"

namespace hotbench::queue {

struct Capabilities {
  bool spsc_only = false;  // one producer thread and one consumer thread at most
  bool bounded = false;    // holds at most `capacity` messages; try_push fails when full
  bool blocking = false;   // has pop_wait: the consumer can sleep until a message comes
  // The library promises that each consumer sees a producer's messages in the
  // order they were pushed. A queue that does not promise it (atomic_queue's
  // MPMC try_pop) still has to deliver exactly once and intact; its order
  // inversions are counted and reported on the row (`order_inversions`)
  // instead of failing it. A queue that promises order and breaks it fails.
  bool per_producer_fifo = true;
};

// How a thread waits for a full or empty queue.
//   spin: retry at once (with the CPU's pause hint);
//   spin_yield: spin a little, then give the CPU away (sched_yield) between retries;
//   block: the queue's own timed blocking pop (blocking queues only); a producer
//          facing a full queue yields.
enum class Wait { spin, spin_yield, block };
const char* wait_name(Wait w);

enum class Task { spsc_throughput, mpmc_throughput, ping_pong, open_loop, single_thread, floor };
const char* task_name(Task t);

// Everything one case depends on; all of it appears in the row's name.
struct Scenario {
  Task task = Task::spsc_throughput;
  int producers = 1;
  int consumers = 1;
  std::size_t message_bytes = 64;
  std::size_t capacity = 1024;  // bounded queues only
  Wait wait = Wait::spin_yield;
  bool pin = false;                  // pin worker i to CPU i mod CPUs
  std::size_t batch = 1 << 16;       // messages (or round trips) per run()
  double watchdog_s = 10;            // no progress for this long -> error row
  double rate_per_s = 200'000;       // open loop: intended send rate
};

struct QueueEntry {
  std::string library;
  std::string variant;
  Capabilities caps;
  std::function<std::unique_ptr<Case>(const Scenario&)> make;
  std::string implementation() const { return variant.empty() ? library : library + ":" + variant; }
};

void add_entry(QueueEntry e);
const std::vector<QueueEntry>& queues();

// Registers adapter template Q (defined in driver.h, which adapters include).
template <template <class> class Q>
void add_queue(std::string library, std::string variant = "");


}  // namespace hotbench::queue


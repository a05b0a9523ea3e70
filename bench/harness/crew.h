// Persistent worker threads for one case, with a start barrier and a watchdog.
// Shared by the suites that run threads of their own per case (queue, messaging).
//
// Threads are created once per case (thread creation would dominate a batch)
// and run `body(worker, batch)` once per run_batch(). The caller's thread only
// waits: every 100 ms it reads the case's progress counter, and if that has not
// moved for `watchdog_s`, it raises the stop flag that every worker loop polls,
// waits for the workers to leave, and throws "no progress for X s: delivered a
// of b" -- a lost message or a livelock becomes an error row in bounded time.
#pragma once

#include <pthread.h>

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace hotbench {

class Crew {
 public:
  using Body = std::function<void(int worker, std::uint64_t batch)>;
  Crew(int workers, bool pin, Body body);
  ~Crew();
  Crew(const Crew&) = delete;
  Crew& operator=(const Crew&) = delete;

  // Runs one batch (batch numbers count from 0) and returns when every worker
  // has finished it. progress() is read only by this thread; `expected` is what
  // it reaches when the batch is complete (for the error message).
  void run_batch(const std::function<std::uint64_t()>& progress, std::uint64_t expected, double watchdog_s);

  // Polled by worker loops: the watchdog fired, a worker failed (or the crew is shutting down).
  bool stopping() const { return stop_.load(std::memory_order_relaxed); }
  // From a worker that cannot go on (its server is gone, say): stops every
  // worker of this batch at once, and run_batch throws `why` (the first one
  // given) instead of waiting for the watchdog.
  void fail(const std::string& why);
  std::uint64_t batches() const { return batch_; }

 private:
  void work(int index);

  Body body_;
  std::vector<std::thread> threads_;
  std::atomic<std::uint64_t> generation_{0};  // bumped to start a batch
  std::atomic<bool> stop_{false};
  std::atomic<bool> quit_{false};
  std::mutex mutex_;
  std::condition_variable finished_;
  int running_ = 0;  // guarded by mutex_
  std::uint64_t batch_ = 0;
  bool broken_ = false;  // the watchdog fired once: the case is dead
  std::string failure_;  // guarded by mutex_: the first fail()
  bool pin_failed_ = false;
};

// Pins `thread` to the index-th (mod count) CPU this process may use; false if it could not.
bool pin_to_cpu(pthread_t thread, int index);

}  // namespace hotbench

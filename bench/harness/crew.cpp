#include "crew.h"

#include <pthread.h>
#include <sched.h>

#include <chrono>
#include <sstream>
#include <stdexcept>

namespace hotbench {

bool pin_to_cpu(pthread_t thread, int index) {
  cpu_set_t allowed;
  CPU_ZERO(&allowed);
  if (sched_getaffinity(0, sizeof allowed, &allowed) != 0) return false;
  const int n = CPU_COUNT(&allowed);
  if (n == 0) return false;
  int want = index % n;
  for (int cpu = 0; cpu < CPU_SETSIZE; ++cpu) {
    if (!CPU_ISSET(cpu, &allowed)) continue;
    if (want-- == 0) {
      cpu_set_t one;
      CPU_ZERO(&one);
      CPU_SET(cpu, &one);
      return pthread_setaffinity_np(thread, sizeof one, &one) == 0;
    }
  }
  return false;
}

Crew::Crew(int workers, bool pin, Body body) : body_(std::move(body)) {
  threads_.reserve(static_cast<std::size_t>(workers));
  for (int i = 0; i < workers; ++i) {
    threads_.emplace_back([this, i] { work(i); });
    if (pin && !pin_to_cpu(threads_.back().native_handle(), i)) pin_failed_ = true;
  }
}

Crew::~Crew() {
  quit_.store(true);
  stop_.store(true);
  generation_.fetch_add(1, std::memory_order_release);
  generation_.notify_all();
  for (auto& t : threads_) t.join();
}

void Crew::work(int index) {
  std::uint64_t seen = 0;
  for (;;) {
    generation_.wait(seen, std::memory_order_acquire);
    seen = generation_.load(std::memory_order_acquire);
    if (quit_.load()) return;
    body_(index, batch_);
    std::lock_guard lock(mutex_);
    if (--running_ == 0) finished_.notify_one();
  }
}

void Crew::fail(const std::string& why) {
  {
    std::lock_guard lock(mutex_);
    if (failure_.empty()) failure_ = why;
  }
  stop_.store(true);
}

void Crew::run_batch(const std::function<std::uint64_t()>& progress, std::uint64_t expected, double watchdog_s) {
  if (broken_) throw std::runtime_error("the watchdog stopped this case earlier");
  if (pin_failed_) throw std::runtime_error("could not pin the worker threads to CPUs");
  {
    std::lock_guard lock(mutex_);
    running_ = static_cast<int>(threads_.size());
  }
  generation_.fetch_add(1, std::memory_order_release);
  generation_.notify_all();

  using clock = std::chrono::steady_clock;
  const auto patience = std::chrono::duration_cast<clock::duration>(std::chrono::duration<double>(watchdog_s));
  std::uint64_t last = progress();
  auto last_change = clock::now();
  std::unique_lock lock(mutex_);
  while (running_ > 0) {
    finished_.wait_for(lock, std::chrono::milliseconds(100));
    if (running_ == 0 || stop_.load()) continue;
    const std::uint64_t now_at = progress();
    if (now_at != last) {
      last = now_at;
      last_change = clock::now();
    } else if (clock::now() - last_change > patience) {
      stop_.store(true);  // every worker loop polls this and leaves
    }
  }
  ++batch_;
  if (stop_.load()) {
    broken_ = true;
    if (!failure_.empty()) throw std::runtime_error(failure_);
    std::ostringstream why;
    why << "watchdog: no progress for " << watchdog_s << " s: delivered " << last << " of " << expected;
    throw std::runtime_error(why.str());
  }
}

}  // namespace hotbench

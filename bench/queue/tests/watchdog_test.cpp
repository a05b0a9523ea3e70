// Deliberately broken queues must give an error, never a hang or a figure:
// a queue that loses messages and one that never delivers trip the watchdog
// within its bound; one that duplicates or reorders fails the delivery check.
#include <gtest/gtest.h>

#include <chrono>
#include <deque>
#include <mutex>

#include "queue/driver.h"

namespace hotbench::queue {
namespace {

enum class Fault { lose, duplicate, reorder, never_deliver };

template <Fault F>
struct Broken {
  template <class T>
  class Queue {
   public:
    static constexpr Capabilities caps{.blocking = true};
    explicit Queue(std::size_t) {}
    bool try_push(const T& m) {
      std::lock_guard lock(mutex_);
      ++pushed_;
      if (F == Fault::lose && pushed_ % 1000 == 0) return true;  // accepted, then dropped
      if (F == Fault::reorder && pushed_ % 100 == 0) {
        items_.push_front(m);
        return true;
      }
      items_.push_back(m);
      if (F == Fault::duplicate && pushed_ % 1000 == 0) items_.push_back(m);
      return true;
    }
    bool try_pop(T& out) {
      std::lock_guard lock(mutex_);
      if (F == Fault::never_deliver || items_.empty()) return false;
      out = items_.front();
      items_.pop_front();
      return true;
    }
    bool pop_wait(T& out, std::chrono::microseconds timeout) {
      if (try_pop(out)) return true;
      std::this_thread::sleep_for(timeout);
      return try_pop(out);
    }

   private:
    std::mutex mutex_;
    std::deque<T> items_;
    std::uint64_t pushed_ = 0;
  };
};

using M = Message<64>;

Scenario scenario(Task task, int threads, Wait wait) {
  Scenario s;
  s.task = task;
  s.producers = s.consumers = threads;
  s.wait = wait;
  s.batch = 5000;
  s.watchdog_s = 0.5;
  return s;
}

std::string error_of(std::function<void()> f) {
  try {
    f();
  } catch (const std::exception& e) {
    return e.what();
  }
  return "";
}

template <Fault F>
std::string first_error(const Scenario& s) {
  auto c = make_for_message<typename Broken<F>::template Queue<M>, M>(s);
  const auto start = std::chrono::steady_clock::now();
  std::string e = error_of([&] { c->check(); });
  if (e.empty()) e = error_of([&] { c->run(); });
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  EXPECT_LT(seconds, 30) << "the watchdog did not bound the hang";  // 0.5 s plus slack for sanitizers
  return e;
}

TEST(Watchdog, LostMessagesAreReportedNotHungOn) {
  for (Wait w : {Wait::spin, Wait::spin_yield, Wait::block})
    for (int threads : {1, 2, 4}) {
      const std::string e = first_error<Fault::lose>(scenario(Task::mpmc_throughput, threads, w));
      EXPECT_NE(e.find("watchdog: no progress for 0.5 s: delivered"), std::string::npos) << e;
      EXPECT_NE(e.find(" of " + std::to_string(5000 / threads * threads)), std::string::npos) << e;
    }
}

TEST(Watchdog, AQueueThatNeverDeliversIsBounded) {
  for (Task t : {Task::mpmc_throughput, Task::ping_pong, Task::open_loop}) {
    Scenario s = scenario(t, 1, Wait::spin_yield);
    const std::string e = first_error<Fault::never_deliver>(s);
    EXPECT_NE(e.find("watchdog: no progress for 0.5 s: delivered 0 of"), std::string::npos) << task_name(t) << ": " << e;
  }
}

TEST(Watchdog, AfterFiringTheCaseStaysAnError) {
  auto c = make_for_message<Broken<Fault::lose>::Queue<M>, M>(scenario(Task::mpmc_throughput, 2, Wait::spin_yield));
  EXPECT_NE(error_of([&] { c->check(); }), "");
  EXPECT_NE(error_of([&] { c->run(); }).find("watchdog stopped this case earlier"), std::string::npos);
}

TEST(DeliveryCheck, DuplicatesAndReorderingFailTheBatch) {
  for (int threads : {1, 2}) {
    const std::string dup = first_error<Fault::duplicate>(scenario(Task::mpmc_throughput, threads, Wait::spin_yield));
    EXPECT_NE(dup.find("delivery check failed"), std::string::npos) << dup;
    const std::string re = first_error<Fault::reorder>(scenario(Task::mpmc_throughput, threads, Wait::spin_yield));
    EXPECT_NE(re.find("out of their producer's order"), std::string::npos) << re;
  }
  const std::string pp = first_error<Fault::duplicate>(scenario(Task::ping_pong, 1, Wait::spin_yield));
  EXPECT_NE(pp.find("delivery check failed"), std::string::npos) << pp;
}

}  // namespace
}  // namespace hotbench::queue

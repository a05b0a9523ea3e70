// oneTBB 2021.8: concurrent_queue (unbounded MPMC) and concurrent_bounded_queue
// with set_capacity. The bounded queue's blocking pop() has no timeout (only
// abort()), so it is driven through try_push/try_pop only: a timed wait is what
// lets the watchdog bound a hang.
#include <tbb/concurrent_queue.h>

#include "../driver.h"

namespace hotbench::queue {
namespace {

template <class T>
class TbbQueue {
 public:
  static constexpr Capabilities caps{};
  explicit TbbQueue(std::size_t) {}
  bool try_push(const T& m) {
    q_.push(m);
    return true;
  }
  bool try_pop(T& out) { return q_.try_pop(out); }

 private:
  tbb::concurrent_queue<T> q_;
};

template <class T>
class TbbBounded {
 public:
  static constexpr Capabilities caps{.bounded = true};
  explicit TbbBounded(std::size_t capacity) { q_.set_capacity(static_cast<std::ptrdiff_t>(capacity)); }
  bool try_push(const T& m) { return q_.try_push(m); }
  bool try_pop(T& out) { return q_.try_pop(out); }

 private:
  tbb::concurrent_bounded_queue<T> q_;
};

}  // namespace

HOTBENCH_REGISTER(tbb) {
  add_queue<TbbQueue>("tbb_queue");
  add_queue<TbbBounded>("tbb_bounded");
}

}  // namespace hotbench::queue

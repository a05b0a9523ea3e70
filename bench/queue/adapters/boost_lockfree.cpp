// Boost.Lockfree 1.81: spsc_queue (a bounded ring, one producer and one
// consumer) and queue (Michael-Scott, node-based; push allocates a node when
// its free list is empty, so it is unbounded here; the capacity pre-allocates nodes).
#include <boost/lockfree/queue.hpp>
#include <boost/lockfree/spsc_queue.hpp>

#include "../driver.h"

namespace hotbench::queue {
namespace {

template <class T>
class BoostSpsc {
 public:
  static constexpr Capabilities caps{.spsc_only = true, .bounded = true};
  explicit BoostSpsc(std::size_t capacity) : q_(capacity) {}
  bool try_push(const T& m) { return q_.push(m); }
  bool try_pop(T& out) { return q_.pop(out); }

 private:
  boost::lockfree::spsc_queue<T> q_;
};

template <class T>
class BoostQueue {
 public:
  static constexpr Capabilities caps{};
  explicit BoostQueue(std::size_t capacity) : q_(capacity) {}
  bool try_push(const T& m) { return q_.push(m); }
  bool try_pop(T& out) { return q_.pop(out); }

 private:
  boost::lockfree::queue<T> q_;
};

}  // namespace

HOTBENCH_REGISTER(boost_lockfree) {
  add_queue<BoostSpsc>("boost_spsc");
  add_queue<BoostQueue>("boost_lockfree_queue");
}

}  // namespace hotbench::queue

// atomic_queue (Debian's libatomic-queue-dev headers, see cmake/Dependencies.cmake).
// AtomicQueueB2 is the run-time-sized form for any element type (AtomicQueueB
// only takes atomic integers with a reserved NIL value, too small for our
// messages). The capacity is rounded up to a power of two (at least 256 for
// 1-byte slot states). Variant "spsc" sets its SPSC flag (no CAS loops).
// OptimistAtomicQueue's push/pop spin inside the library without a timeout,
// which the watchdog could not interrupt, so only try_push/try_pop are used.
#include <atomic_queue/atomic_queue.h>

#include "../driver.h"

namespace hotbench::queue {
namespace {

// Per-producer order: atomic_queue promises FIFO order only in its TOTAL_ORDER
// mode and only for the blocking push/pop (its README), which spin inside the
// library. With try_pop a consumer that claimed slot index i + capacity can
// take the element stored for index i when the consumer of i was preempted
// (the slot state does not record the lap), so messages arrive out of their
// producer's order -- seen on every 2/2 and 4/4 run here, never a loss. The MPMC
// form therefore declares no per-producer order: its rows report
// order_inversions. One producer and one consumer cannot overlap laps.
template <class T, bool Spsc>
class AtomicQueueAdapter {
 public:
  static constexpr Capabilities caps{.spsc_only = Spsc, .bounded = true, .per_producer_fifo = Spsc};
  explicit AtomicQueueAdapter(std::size_t capacity) : q_(static_cast<unsigned>(capacity)) {}
  bool try_push(const T& m) { return q_.try_push(m); }
  bool try_pop(T& out) { return q_.try_pop(out); }

 private:
  atomic_queue::AtomicQueueB2<T, std::allocator<T>, true, false, Spsc> q_;
};

template <class T>
using AtomicQueueMpmc = AtomicQueueAdapter<T, false>;
template <class T>
using AtomicQueueSpsc = AtomicQueueAdapter<T, true>;

}  // namespace

HOTBENCH_REGISTER(atomic_queue) {
  add_queue<AtomicQueueMpmc>("atomic_queue");
  add_queue<AtomicQueueSpsc>("atomic_queue", "spsc");
}

}  // namespace hotbench::queue

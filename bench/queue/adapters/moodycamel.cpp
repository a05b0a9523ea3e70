// moodycamel: ReaderWriterQueue (SPSC, grows by blocks when full: unbounded),
// ConcurrentQueue (MPMC, per-producer sub-queues: FIFO per producer only) and
// BlockingConcurrentQueue (the same plus a semaphore for wait_dequeue_timed).
#if defined(__SANITIZE_THREAD__)
// ReaderWriterQueue synchronizes through stand-alone fences, which TSan does not
// model. Its atomicops.h annotates them for TSan (a happens-before edge per
// fence), but only where __has_feature(thread_sanitizer) exists (clang, not
// GCC 12); these are its own definitions, enabled for GCC's TSan build.
extern "C" void AnnotateHappensBefore(const char*, int, void*);
extern "C" void AnnotateHappensAfter(const char*, int, void*);
namespace hotbench_tsan {
inline int rwq_fence;
}
#define AE_TSAN_ANNOTATE_RELEASE() AnnotateHappensBefore(__FILE__, __LINE__, (void*)(&::hotbench_tsan::rwq_fence))
#define AE_TSAN_ANNOTATE_ACQUIRE() AnnotateHappensAfter(__FILE__, __LINE__, (void*)(&::hotbench_tsan::rwq_fence))
#endif

#include <concurrentqueue/blockingconcurrentqueue.h>
#include <concurrentqueue/concurrentqueue.h>
#include <readerwriterqueue/readerwriterqueue.h>

#include "../driver.h"

namespace hotbench::queue {
namespace {

template <class T>
class MoodycamelRwq {
 public:
  static constexpr Capabilities caps{.spsc_only = true};
  explicit MoodycamelRwq(std::size_t capacity) : q_(capacity) {}
  bool try_push(const T& m) { return q_.enqueue(m); }
  bool try_pop(T& out) { return q_.try_dequeue(out); }

 private:
  moodycamel::ReaderWriterQueue<T> q_;
};

template <class T>
class MoodycamelCq {
 public:
  static constexpr Capabilities caps{};
  explicit MoodycamelCq(std::size_t capacity) : q_(capacity) {}
  bool try_push(const T& m) { return q_.enqueue(m); }
  bool try_pop(T& out) { return q_.try_dequeue(out); }

 private:
  moodycamel::ConcurrentQueue<T> q_;
};

template <class T>
class MoodycamelBcq {
 public:
  static constexpr Capabilities caps{.blocking = true};
  explicit MoodycamelBcq(std::size_t capacity) : q_(capacity) {}
  bool try_push(const T& m) { return q_.enqueue(m); }
  bool try_pop(T& out) { return q_.try_dequeue(out); }
  bool pop_wait(T& out, std::chrono::microseconds timeout) { return q_.wait_dequeue_timed(out, timeout); }

 private:
  moodycamel::BlockingConcurrentQueue<T> q_;
};

}  // namespace

HOTBENCH_REGISTER(moodycamel) {
  add_queue<MoodycamelRwq>("moodycamel_rwq");
  add_queue<MoodycamelCq>("moodycamel_cq");
  add_queue<MoodycamelBcq>("moodycamel_bcq");
}

}  // namespace hotbench::queue

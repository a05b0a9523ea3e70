// The baseline: std::deque under a std::mutex. Variant "cv" adds a condition
// variable so a consumer can sleep until a message arrives (the blocking form).
#include <condition_variable>
#include <deque>
#include <mutex>

#include "../driver.h"

namespace hotbench::queue {
namespace {

template <class T>
class MutexDeque {
 public:
  static constexpr Capabilities caps{};
  explicit MutexDeque(std::size_t) {}
  bool try_push(const T& m) {
    std::lock_guard lock(mutex_);
    items_.push_back(m);
    return true;
  }
  bool try_pop(T& out) {
    std::lock_guard lock(mutex_);
    if (items_.empty()) return false;
    out = items_.front();
    items_.pop_front();
    return true;
  }

 private:
  std::mutex mutex_;
  std::deque<T> items_;
};

template <class T>
class MutexDequeCv {
 public:
  static constexpr Capabilities caps{.blocking = true};
  explicit MutexDequeCv(std::size_t) {}
  bool try_push(const T& m) {
    {
      std::lock_guard lock(mutex_);
      items_.push_back(m);
    }
    nonempty_.notify_one();
    return true;
  }
  bool try_pop(T& out) {
    std::lock_guard lock(mutex_);
    return take(out);
  }
  bool pop_wait(T& out, std::chrono::microseconds timeout) {
    std::unique_lock lock(mutex_);
    nonempty_.wait_for(lock, timeout, [this] { return !items_.empty(); });
    return take(out);
  }

 private:
  bool take(T& out) {
    if (items_.empty()) return false;
    out = items_.front();
    items_.pop_front();
    return true;
  }
  std::mutex mutex_;
  std::condition_variable nonempty_;
  std::deque<T> items_;
};

}  // namespace

HOTBENCH_REGISTER(mutex_deque) {
  add_queue<MutexDeque>("mutex_deque");
  add_queue<MutexDequeCv>("mutex_deque", "cv");
}

}  // namespace hotbench::queue

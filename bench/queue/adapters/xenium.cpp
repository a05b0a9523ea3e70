// xenium: vyukov_bounded_queue, Dmitry Vyukov's bounded MPMC ring (a sequence
// number per cell; no memory reclamation needed). The capacity must be a power
// of two, which the suite's settings enforce for every bounded queue.
#include <xenium/vyukov_bounded_queue.hpp>

#include "../driver.h"

namespace hotbench::queue {
namespace {

template <class T>
class XeniumVyukov {
 public:
  static constexpr Capabilities caps{.bounded = true};
  explicit XeniumVyukov(std::size_t capacity) : q_(capacity) {}
  bool try_push(const T& m) { return q_.try_push(m); }
  bool try_pop(T& out) { return q_.try_pop(out); }

 private:
  xenium::vyukov_bounded_queue<T> q_;
};

}  // namespace

HOTBENCH_REGISTER(xenium) { add_queue<XeniumVyukov>("xenium_vyukov"); }

}  // namespace hotbench::queue

#include "alloc_counter.h"
#include "sanitizers.h"

#include <atomic>
#include <cstddef>

namespace {
std::atomic<bool> g_counting{false};
std::atomic<std::uint64_t> g_allocations{0};
std::atomic<std::uint64_t> g_bytes{0};

// maybe_unused: the sanitizer builds, which keep their own malloc, do not call it (clang says so).
[[maybe_unused]] inline void count(std::size_t n) {
  if (g_counting.load(std::memory_order_relaxed)) {
    g_allocations.fetch_add(1, std::memory_order_relaxed);
    g_bytes.fetch_add(n, std::memory_order_relaxed);
  }
}
}  // namespace

#if defined(HOTBENCH_UNDER_ASAN) || defined(HOTBENCH_UNDER_TSAN) || defined(HOTBENCH_NO_MALLOC_HOOK)
namespace hotbench::alloc {
bool available() { return false; }
}  // namespace hotbench::alloc
#else
// glibc lets a program replace malloc. By default we forward to its __libc_*
// entry points: glibc's allocator, plus a relaxed load on the hot path. The
// instruction-count build uses the deterministic heap instead (see
// deterministic_heap.h for why).
#if defined(HOTBENCH_DETERMINISTIC_HEAP)
#include <cstring>

#include "deterministic_heap.h"
namespace heap {
namespace d = hotbench::deterministic_heap;
inline void* malloc(std::size_t n) { return d::allocate(n); }
inline void* calloc(std::size_t k, std::size_t n) {
  if (n != 0 && k > static_cast<std::size_t>(-1) / n) return nullptr;
  void* p = d::allocate(k * n);
  if (p) std::memset(p, 0, k * n);
  return p;
}
inline void* realloc(void* p, std::size_t n) { return d::reallocate(p, n); }
inline void free(void* p) { d::release(p); }
inline void* memalign(std::size_t a, std::size_t n) { return d::allocate(n, a); }
}  // namespace heap
extern "C" std::size_t malloc_usable_size(void* p) { return hotbench::deterministic_heap::usable_size(p); }
extern "C" void* valloc(std::size_t n) { return hotbench::deterministic_heap::allocate(n, 4096); }
extern "C" void* pvalloc(std::size_t n) { return hotbench::deterministic_heap::allocate((n + 4095) / 4096 * 4096, 4096); }
#else
extern "C" {
void* __libc_malloc(std::size_t);
void* __libc_calloc(std::size_t, std::size_t);
void* __libc_realloc(void*, std::size_t);
void* __libc_memalign(std::size_t, std::size_t);
void __libc_free(void*);
}
namespace heap {
inline void* malloc(std::size_t n) { return __libc_malloc(n); }
inline void* calloc(std::size_t k, std::size_t n) { return __libc_calloc(k, n); }
inline void* realloc(void* p, std::size_t n) { return __libc_realloc(p, n); }
inline void free(void* p) { __libc_free(p); }
inline void* memalign(std::size_t a, std::size_t n) { return __libc_memalign(a, n); }
}  // namespace heap
#endif

extern "C" {
void* malloc(std::size_t n) {
  count(n);
  return heap::malloc(n);
}
void* calloc(std::size_t k, std::size_t n) {
  count(k * n);
  return heap::calloc(k, n);
}
void* realloc(void* p, std::size_t n) {
  count(n);
  return heap::realloc(p, n);
}
void free(void* p) { heap::free(p); }
void* memalign(std::size_t a, std::size_t n) {
  count(n);
  return heap::memalign(a, n);
}
void* aligned_alloc(std::size_t a, std::size_t n) {
  count(n);
  return heap::memalign(a, n);
}
int posix_memalign(void** out, std::size_t a, std::size_t n) {
  count(n);
  void* p = heap::memalign(a, n);
  if (p == nullptr) return 12;  // ENOMEM
  *out = p;
  return 0;
}
}  // extern "C"

namespace hotbench::alloc {
bool available() { return true; }
}  // namespace hotbench::alloc
#endif

namespace hotbench::alloc {
#if defined(HOTBENCH_DETERMINISTIC_HEAP)
bool deterministic_heap() { return true; }
#else
bool deterministic_heap() { return false; }
#endif
void start() {
  g_allocations.store(0, std::memory_order_relaxed);
  g_bytes.store(0, std::memory_order_relaxed);
  g_counting.store(true, std::memory_order_seq_cst);
}
Totals stop() {
  g_counting.store(false, std::memory_order_seq_cst);
  return {g_allocations.load(std::memory_order_relaxed), g_bytes.load(std::memory_order_relaxed)};
}
}  // namespace hotbench::alloc

// ThreadSanitizer suppressions for libraries' known false positives, built into
// the queue binaries (TSan calls __tsan_default_suppressions() at start-up), so
// every way of running them -- ctest, ./hotbench test, by hand -- agrees.
// Each entry names library code only (`race_top:` = the innermost frame of an
// access is inside the library), so a race in our own drivers (delivery
// ledgers, crew, histograms) is never hidden.
//
// - boost::lockfree::queue (Michael-Scott): pop() copies a node's payload before
//   the CAS that validates it, and the node free list reads tagged pointers of
//   nodes being recycled -- deliberate, validated races.
//   https://github.com/boostorg/lockfree/issues/78
// - moodycamel::ConcurrentQueue synchronizes its block slots with stand-alone
//   fences (std::atomic_thread_fence), which TSan does not model (GCC warns:
//   -Wtsan). https://github.com/google/sanitizers/issues/1415
// - oneTBB's concurrent_queue pages and slots are allocated, freed and, for the
//   bounded queue, waited for inside libtbb (uninstrumented), so TSan does not
//   see a slot or page freed by a consumer being reused by a producer. Its push
//   constructs the item through std::construct_at, hence the one `race:` entry
//   on micro_queue's push (any frame), not on construct_at itself.
//
// (moodycamel::ReaderWriterQueue's fences are annotated rather than suppressed:
// see adapters/moodycamel.cpp and
// https://github.com/cameron314/readerwriterqueue/issues/116.)
#include "harness/sanitizers.h"

#if defined(HOTBENCH_UNDER_TSAN)
extern "C" const char* __tsan_default_suppressions() {
  return "race_top:boost::lockfree::\n"
         "race_top:moodycamel::ConcurrentQueue\n"
         "race_top:tbb::detail::d2::micro_queue\n"
         "race:tbb::detail::d2::micro_queue*::push\n";
}
#endif

// ThreadSanitizer suppressions for a library's known false positive, built
// into the queue binaries (TSan calls __tsan_default_suppressions() at start-up),
// so every way of running them -- ctest, ./hotbench test, by hand -- agrees.
// Only library frames are named: a race in our own drivers is never hidden.
//
// (moodycamel::ReaderWriterQueue's fences, which TSan does not model, are not
// suppressed but annotated: see adapters/moodycamel.cpp and
// https://github.com/cameron314/readerwriterqueue/issues/116.)
// - oneTBB's concurrent_queue frees and allocates its pages through libtbb's
//   cache_aligned_allocate (uninstrumented, backed by tbbmalloc when present),
//   so TSan does not see a page freed by one consumer being reused by a
//   producer, and reports the new page's constructor racing with the old page's
//   last read.
#if defined(__SANITIZE_THREAD__)
extern "C" const char* __tsan_default_suppressions() {
  return "race:tbb::detail::d2::micro_queue*::padded_page::padded_page\n";
}
#endif

// Which sanitizer this object is built with. GCC says so with __SANITIZE_ADDRESS__ and
// __SANITIZE_THREAD__; clang 14, which builds the asan preset, only through __has_feature.
#pragma once

#if defined(__SANITIZE_ADDRESS__)
#define HOTBENCH_UNDER_ASAN 1
#endif
#if defined(__SANITIZE_THREAD__)
#define HOTBENCH_UNDER_TSAN 1
#endif
#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define HOTBENCH_UNDER_ASAN 1
#endif
#if __has_feature(thread_sanitizer)
#define HOTBENCH_UNDER_TSAN 1
#endif
#endif

// PACKAGE=VERSION;... of the Debian packages a suite binary was built against, from the dependency
// table (cmake/dependencies.tsv). CMake compiles this file once per suite binary with that suite's
// list and main.cpp once per preset: a new version rebuilds this one small file, and the presets
// compile main.cpp (its <regex>: 3-5 CPU-s) once instead of once per suite.
#ifndef HOTBENCH_LIBRARY_VERSIONS
#define HOTBENCH_LIBRARY_VERSIONS ""
#endif

namespace hotbench {
extern const char kLibraryVersions[];
const char kLibraryVersions[] = HOTBENCH_LIBRARY_VERSIONS;
}  // namespace hotbench

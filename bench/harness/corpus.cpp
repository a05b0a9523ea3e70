// The one file that names the checkout's path (HOTBENCH_CORPUS_DIR, set in CMakeLists.txt): every
// other file compiles identically in any clone, so a fresh clone's build finds them all in the
// compiler cache. Before, each suite.cpp carried the path and compiled again in every clone.
#include "harness/suite.h"

namespace hotbench {

std::string corpus_dir() { return HOTBENCH_CORPUS_DIR; }

}  // namespace hotbench

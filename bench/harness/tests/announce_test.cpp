// --hotbench_announce: the runner blames the last announced row when it must kill a process, so a
// row is announced again whenever another ran in between, whatever kind (timed, bare, untimed) each is:
// every kind goes through the one announce() that keeps the last name.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "harness/suite.h"

namespace hotbench {
namespace {

std::string announced(const std::vector<std::string>& names) {
  testing::internal::CaptureStderr();
  for (const auto& name : names) announce(name);
  return testing::internal::GetCapturedStderr();
}

TEST(Announce, AgainAfterAnotherRowAndOnlyThen) {
  const Options saved = options();
  Options on = saved;
  on.announce = true;
  set_options(on);
  // A timed row's repetitions around an untimed row (random interleaving): the repetition after it
  // is announced again, so a hang there is blamed on the timed row.
  EXPECT_EQ(announced({"s/timed/a", "s/timed/a", "s/untimed/b", "s/timed/a"}),
            "hotbench: start s/timed/a\nhotbench: start s/untimed/b\nhotbench: start s/timed/a\n");
  set_options(saved);
  EXPECT_EQ(announced({"s/other/c"}), "");  // off unless asked for
}

}  // namespace
}  // namespace hotbench

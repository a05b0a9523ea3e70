// Bad settings are refused with a UsageError that names the key, the value and
// what is accepted (main() turns it into one line and exit status 4, the usage-error code of the CLI).
// The common wording is the harness's (bench/harness/tests/settings_test.cpp); these are the queue's own rules.
#include <gtest/gtest.h>

#include "harness/settings.h"
#include "harness/suite.h"

namespace hotbench {
namespace {

std::string usage_error(std::vector<std::pair<std::string, std::string>> given) {
  Options o;
  o.settings = given;
  Settings settings(suite_info().name, std::move(given));
  try {
    register_suite(o, settings, {});
    settings.finish();
  } catch (const UsageError& e) {
    return e.what();
  }
  return "";
}

TEST(QueueSettings, BadNamesAndValuesAreRefusedClearly) {
  struct Bad {
    const char* key;
    const char* value;
    const char* says;
  };
  for (const Bad& b : std::vector<Bad>{
           {"queues", "boost_spsc,nosuch", "unknown 'nosuch' (accepted: "},
           {"tasks", "ping_pong,pingpong", "unknown 'pingpong' (accepted: floor, spsc_throughput"},
           {"threads", "0", "'0' is not an integer in 1..64"},
           {"threads", "100000", "'100000' is not an integer in 1..64"},
           {"threads", "-2", "'-2' is not an integer"},
           {"message_bytes", "16", "'16' is not one of 8, 64, 1024"},
           {"message_bytes", "4096", "'4096' is not an integer in 8..1024"},
           {"capacities", "1000", "'1000' is not a power of two"},
           {"capacities", "0", "'0' is not an integer in 2..4194304"},
           {"capacities", "1099511627776", "is not an integer in 2..4194304"},
           {"wait", "nap", "unknown 'nap' (accepted: spin, spin_yield, block)"},
           {"pin", "maybe", "wants true or false"},
           {"batch", "1", "is not 0 or an integer in 64.."},
           {"watchdog_s", "0", "is not a number in"},
           {"rate", "abc", "is not a number in"},
           {"colour", "blue", "the queue suite has no setting 'colour' (its settings: queues, tasks"},
       }) {
    const std::string e = usage_error({{b.key, b.value}});
    EXPECT_EQ(e.rfind(std::string("--hotbench_set=") + b.key + "=" + b.value + ": ", 0), 0u)
        << "names neither key nor value: '" << e << "'";
    EXPECT_NE(e.find(b.says), std::string::npos) << b.key << "=" << b.value << " -> '" << e << "'";
  }
}

TEST(QueueSettings, GoodValuesAreAccepted) {
  EXPECT_EQ(usage_error({{"queues", "boost_spsc"}, {"message_bytes", "8,1024"}, {"capacities", "64"}, {"pin", "true"}}), "");
}

}  // namespace
}  // namespace hotbench

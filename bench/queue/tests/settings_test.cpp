// Bad settings are refused with a UsageError that names the key, the value and
// what is accepted (main() turns it into one line and exit status 4, the usage-error code of the CLI).
#include <gtest/gtest.h>

#include "harness/suite.h"

namespace hotbench {
namespace {

std::string usage_error(std::vector<std::pair<std::string, std::string>> settings) {
  Options o;
  o.settings = std::move(settings);
  try {
    register_suite(o);
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
           {"queues", "boost_spsc,nosuch", "unknown queue 'nosuch'; accepted: "},
           {"tasks", "ping_pong,pingpong", "unknown 'pingpong'; accepted: floor, spsc_throughput"},
           {"threads", "0", "'0' is not an integer in 1..64"},
           {"threads", "100000", "'100000' is not an integer in 1..64"},
           {"threads", "-2", "'-2' is not an integer"},
           {"message_bytes", "16", "'16' is not one of 8, 64, 1024"},
           {"message_bytes", "4096", "'4096' is not an integer in 8..1024"},
           {"capacities", "1000", "'1000' is not a power of two"},
           {"capacities", "0", "is not a power of two in 2..4194304"},
           {"capacities", "1099511627776", "is not a power of two"},
           {"wait", "nap", "unknown 'nap'; accepted: spin, spin_yield, block"},
           {"pin", "maybe", "wants true or false"},
           {"batch", "1", "is not an integer in 64.."},
           {"watchdog_s", "0", "wants a number in"},
           {"rate", "abc", "wants a number in"},
           {"colour", "blue", "unknown setting --hotbench_set=colour=...; the queue suite knows: queues, tasks"},
       }) {
    const std::string e = usage_error({{b.key, b.value}});
    EXPECT_NE(e.find(b.says), std::string::npos) << b.key << "=" << b.value << " -> '" << e << "'";
  }
}

TEST(QueueSettings, DataPathsAreRefused) {
  Options o;
  o.data = {"/tmp/x.csv"};
  EXPECT_THROW(register_suite(o), UsageError);
}

}  // namespace
}  // namespace hotbench

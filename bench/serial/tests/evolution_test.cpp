// Schema evolution: the suite's evolution rows (outcomes/evolution.cpp, one per format and mapping)
// observed here as the suite binary observes them, each outcome compared with the one pinned below. A
// change of behaviour fails the test; a misread is a finding, pinned like the rest. The rows carry
// the promise (written once, beside the readers); the test pins only what is observed.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <tuple>

#include "harness/case.h"
#include "serial/outcomes/outcomes.h"

namespace hotbench::serial::outcomes {
namespace {

constexpr Read kAsWritten = Read::as_written;
constexpr Read kRefused = Read::refused;
constexpr Read kMisread = Read::misread;

// (format, message, mapping) -> (old reader with new bytes, new reader with old bytes).
using Key = std::tuple<std::string, std::string, std::string>;
const std::map<Key, std::pair<Read, Read>>& pinned() {
  static const std::map<Key, std::pair<Read, Read>> pins = {
      {{"protobuf", "basket", ""}, {kAsWritten, kAsWritten}},
      {{"flatbuffers", "basket", ""}, {kAsWritten, kAsWritten}},
      {{"capnproto", "basket", ""}, {kAsWritten, kAsWritten}},
      {{"capnproto:packed", "basket", ""}, {kAsWritten, kAsWritten}},
      {{"thrift:binary", "basket", ""}, {kAsWritten, kAsWritten}},
      {{"thrift:compact", "basket", ""}, {kAsWritten, kAsWritten}},
      {{"msgpack", "basket", ""}, {kRefused, kRefused}},
      {{"msgpack", "basket", "msgpack_define"}, {kAsWritten, kAsWritten}},
      {{"cereal:binary", "basket", ""}, {kRefused, kRefused}},
      {{"cereal:portable", "basket", ""}, {kRefused, kRefused}},
      {{"cereal:binary", "basket_collision", ""}, {kMisread, kRefused}},
      {{"cereal:binary", "basket", "class_version"}, {kRefused, kAsWritten}},
      {{"cereal:binary", "basket_collision", "class_version"}, {kMisread, kAsWritten}},
      {{"boost_serialization", "basket", ""}, {kRefused, kRefused}},
      {{"boost_serialization", "basket_collision", ""}, {kMisread, kRefused}},
      {{"boost_serialization", "basket", "class_version"}, {kRefused, kAsWritten}},
      {{"boost_serialization", "basket_collision", "class_version"}, {kMisread, kAsWritten}},
  };
  return pins;
}

TEST(SerialEvolution, EveryRowAsPinned) {
  std::size_t seen = 0;
  for (const Evolution& row : evolution_rows()) {
    const Key key{row.format, row.message, row.mapping};
    const std::string name = std::string(row.format) + " " + row.message + " " + row.mapping;
    const auto pin = pinned().find(key);
    ASSERT_NE(pin, pinned().end()) << name << ": a row without a pin";
    ++seen;
    const EvolutionSeen s = row.observe();
    ASSERT_EQ(s.problem, "") << name;
    EXPECT_EQ(words(s.old_reader_new_bytes, true), std::string(words(pin->second.first, true)))
        << name << ": old reader, new bytes (" << s.detail << ")";
    EXPECT_EQ(words(s.new_reader_old_bytes, false), std::string(words(pin->second.second, false)))
        << name << ": new reader, old bytes (" << s.detail << ")";
    // A misread names the first difference (what the reader took for what).
    if (s.old_reader_new_bytes == kMisread || s.new_reader_old_bytes == kMisread) {
      EXPECT_NE(s.detail.find("(decoded != reference)"), std::string::npos) << name << ": " << s.detail;
    }
  }
  EXPECT_EQ(seen, pinned().size()) << "a pin without a row";
}

TEST(SerialEvolution, EveryRegisteredFormatHasARowAndEveryRowARegisteredFormat) {
  for (const Format& format : formats().all()) {
    const auto rows = evolution_rows();
    const bool has_row = std::any_of(rows.begin(), rows.end(),
                                     [&](const Evolution& row) { return std::string(row.format).starts_with(format.library); });
    EXPECT_TRUE(has_row) << format.name << " has no schema-evolution row (outcomes/evolution.cpp)";
  }
  for (const Evolution& row : evolution_rows())
    EXPECT_NE(formats().find(row.format), nullptr) << row.format << ": no such registered format";
}

// The rows as the suite binary reports them: the case of each is untimed and reports the codes.
TEST(SerialEvolution, TheRowsCaseReportsTheCodesAndThePromise) {
  const Evolution& row = evolution_rows()[0];
  auto c = evolution_case(row)();
  const Check check = c->check();
  ASSERT_TRUE(check.ok()) << check.error;
  const Counters want = {{"old_reader_new_bytes", 0}, {"new_reader_old_bytes", 0},
                         {"old_reader_promise", static_cast<double>(row.old_reader)},
                         {"new_reader_promise", static_cast<double>(row.new_reader)}};
  EXPECT_EQ(check.findings, want);
  EXPECT_EQ(check.label, row.why);
}

}  // namespace
}  // namespace hotbench::serial::outcomes

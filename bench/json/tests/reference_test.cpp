// The reference parser is the yardstick for every library: it must accept
// exactly RFC 8259 JSON, decode strings exactly, and point at the byte where a
// document goes wrong.
#include <gtest/gtest.h>

#include <bit>
#include <limits>

#include "json/reference.h"
#include "json/stats.h"

namespace hotbench::json {
namespace {

Stats stats_of(std::string_view text) {
  StatsVisitor v;
  parse_reference(text, v);
  return v.stats;
}

struct StringCollector : StatsVisitor {
  std::vector<std::string> strings;
  void string(std::string_view s) { strings.emplace_back(s); }
};

TEST(Reference, CountsEveryKindOfValue) {
  Stats s = stats_of(R"({"a":[1,-2,3.5,"x",true,false,null,{},[]],"b":{"c":"de"}})");
  EXPECT_EQ(s.objects, 3u);
  EXPECT_EQ(s.arrays, 2u);
  EXPECT_EQ(s.strings, 2u);
  EXPECT_EQ(s.numbers, 3u);
  EXPECT_EQ(s.trues, 1u);
  EXPECT_EQ(s.falses, 1u);
  EXPECT_EQ(s.nulls, 1u);
  EXPECT_EQ(s.members, 3u);
  EXPECT_EQ(s.elements, 9u);
  EXPECT_EQ(s.string_bytes, 1u + 1 + 1 + 1 + 2);  // keys a, b, c; values x, de
  EXPECT_EQ(s.max_depth, 3u);
}

TEST(Reference, DecodesEscapesAndSurrogatePairs) {
  StringCollector v;
  parse_reference(R"(["\"\\\/\b\f\n\r\t", "\u00e9\u4e2d", "\ud83d\ude00", "é😀"])", v);
  ASSERT_EQ(v.strings.size(), 4u);
  EXPECT_EQ(v.strings[0], "\"\\/\b\f\n\r\t");
  EXPECT_EQ(v.strings[1], "\xc3\xa9\xe4\xb8\xad");
  EXPECT_EQ(v.strings[2], "\xf0\x9f\x98\x80");
  EXPECT_EQ(v.strings[3], "\xc3\xa9\xf0\x9f\x98\x80");
}

TEST(Reference, ClassifiesNumbersExactly) {
  struct V : StatsVisitor {
    std::vector<NumberKey> seen;
    void int64(std::int64_t x) { seen.push_back(NumberKey::of_int(x)); }
    void uint64(std::uint64_t x) { seen.push_back(NumberKey::of_uint(x)); }
    void dbl(double x) { seen.push_back(NumberKey::of_double(x)); }
  } v;
  parse_reference("[9223372036854775807,9223372036854775808,18446744073709551615,18446744073709551616,"
                  "-9223372036854775808,9007199254740993,0.1,1e-300,5e-324,1.7976931348623157e308]",
                  v);
  ASSERT_EQ(v.seen.size(), 10u);
  EXPECT_EQ(v.seen[0], NumberKey::of_int(INT64_MAX));
  EXPECT_EQ(v.seen[1].kind, NumberKey::kUint);
  EXPECT_EQ(v.seen[2], NumberKey::of_uint(UINT64_MAX));
  EXPECT_EQ(v.seen[3], NumberKey::of_double(18446744073709551616.0));  // beyond uint64: a double
  EXPECT_EQ(v.seen[4], NumberKey::of_int(INT64_MIN));
  EXPECT_EQ(v.seen[5], NumberKey::of_int(9007199254740993));  // 2^53 + 1 survives
  EXPECT_EQ(v.seen[6], NumberKey::of_double(0.1));
  EXPECT_EQ(v.seen[7], NumberKey::of_double(1e-300));
  EXPECT_EQ(v.seen[8], NumberKey::of_double(5e-324));
  EXPECT_EQ(v.seen[9], NumberKey::of_double(1.7976931348623157e308));
}

TEST(Reference, SmallUnsignedCountsAsTheSameInteger) {
  EXPECT_EQ(NumberKey::of_uint(5), NumberKey::of_int(5));
  EXPECT_NE(NumberKey::of_double(5.0), NumberKey::of_int(5));
}

struct Bad {
  const char* text;
  std::size_t offset;
  const char* message_part;
};
// The text, not the struct's bytes (pointers): CTest's test names must be the same in every build.
void PrintTo(const Bad& b, std::ostream* os) { *os << ::testing::PrintToString(std::string(b.text)); }

class ReferenceRejects : public ::testing::TestWithParam<Bad> {};

TEST_P(ReferenceRejects, NamesTheByteAndTheProblem) {
  StatsVisitor v;
  try {
    parse_reference(GetParam().text, v);
    FAIL() << "accepted: " << GetParam().text;
  } catch (const SyntaxError& e) {
    EXPECT_EQ(e.offset, GetParam().offset) << e.what();
    EXPECT_NE(std::string(e.what()).find(GetParam().message_part), std::string::npos) << e.what();
  }
}

INSTANTIATE_TEST_SUITE_P(
    Cases, ReferenceRejects,
    ::testing::Values(Bad{"[1,2,]", 5, "expected a value"}, Bad{"{\"a\":1,}", 7, "expected a string key"},
                      Bad{"[1 2]", 3, "expected ',' or ']'"}, Bad{"\"abc", 4, "unterminated string"},
                      Bad{"\"a\\x\"", 3, "invalid escape"}, Bad{"\"\\ud800\"", 7, "high surrogate"},
                      Bad{"\"\\udc00\"", 7, "lone low surrogate"}, Bad{"\"\xff\"", 1, "invalid UTF-8"},
                      Bad{"\"\xc0\xaf\"", 1, "invalid UTF-8"}, Bad{"\"\xed\xa0\x80\"", 1, "surrogate"},
                      Bad{"\"a\tb\"", 2, "control character"}, Bad{"01", 1, "after the document"},
                      Bad{"-", 1, "expected a digit"}, Bad{"1.", 2, "after '.'"}, Bad{"1e", 2, "exponent"},
                      Bad{"tru", 0, "invalid literal"},
                      Bad{"{} {}", 3, "after the document"}, Bad{"", 0, "unexpected end"},
                      Bad{"[\"a\",{\"b\":", 10, "unexpected end"}, Bad{"NaN", 0, "unexpected character"}));

// RFC 8259 sets no range on numbers: 1e400 is valid JSON. The expected value
// is the correctly rounded one (round to nearest): +-inf on overflow, +-0 on
// underflow; whether a library accepts it is that library's finding.
TEST(Reference, NumbersBeyondTheRangeOfADoubleAreValidAndRoundedCorrectly) {
  const std::string text =
      "[1e400,-1e400,1e-400,-1e-400,0.0000001e-317,123.4e-330,1" + std::string(400, '0') +
      ",1.7976931348623159e308,2e-324,0e999999,1e-310,4.9e-324]";
  struct V : StatsVisitor {
    std::vector<double> values;
    std::vector<bool> out_of_range;
    void dbl(double x) { values.push_back(x), out_of_range.push_back(false); }
    void out_of_range_dbl(double x) { values.push_back(x), out_of_range.push_back(true); }
  } v;
  parse_reference(text, v);
  const double inf = std::numeric_limits<double>::infinity();
  ASSERT_EQ(v.values.size(), 12u);
  auto same = [](double a, double b) { return std::bit_cast<std::uint64_t>(a) == std::bit_cast<std::uint64_t>(b); };
  const double want[] = {inf, -inf, 0.0, -0.0, 0.0, 0.0, inf, inf, 0.0, 0.0, 1e-310, 5e-324};
  const bool beyond[] = {true, true, true, true, true, true, true, true, true, false, false, false};
  for (std::size_t i = 0; i < 12; ++i) {
    EXPECT_TRUE(same(v.values[i], want[i])) << "number " << i << ": got " << v.values[i];
    EXPECT_EQ(v.out_of_range[i], beyond[i]) << "number " << i;
  }
}

TEST(Reference, DeepStatsCountsNumbersBeyondTheRange) {
  DeepVisitor v;
  parse_reference(R"({"big":1e400,"tiny":-1e-400,"ok":1e-310})", v);
  DeepStats d = v.finish();
  EXPECT_EQ(d.out_of_range_numbers, 2u);
  EXPECT_EQ(d.stats.numbers, 3u);
}

TEST(Reference, LimitsNesting) {
  std::string ok = std::string(kMaxDepth, '[') + std::string(kMaxDepth, ']');
  EXPECT_EQ(stats_of(ok).max_depth, kMaxDepth);
  std::string deep = std::string(kMaxDepth + 1, '[') + std::string(kMaxDepth + 1, ']');
  StatsVisitor v;
  try {
    parse_reference(deep, v);
    FAIL() << "accepted nesting deeper than the limit";
  } catch (const SyntaxError& e) {
    EXPECT_EQ(e.offset, kMaxDepth);
    EXPECT_NE(std::string(e.what()).find("nesting deeper"), std::string::npos);
  }
}

}  // namespace
}  // namespace hotbench::json

// The statistics and hashes that validation rests on: they must see through
// what JSON leaves unspecified (member order, integer representation) and catch
// everything else, and compare() must tell a broken document from a misrounded
// number.
#include <gtest/gtest.h>

#include "json/reference.h"
#include "json/stats.h"

namespace hotbench::json {
namespace {

DeepStats deep(std::string_view text) {
  DeepVisitor v;
  parse_reference(text, v);
  return v.finish();
}

TEST(Stats, MemberOrderDoesNotMatterButArrayOrderDoes) {
  EXPECT_EQ(deep(R"({"a":1,"b":[2,3]})").tree_hash, deep(R"({"b":[2,3],"a":1})").tree_hash);
  EXPECT_NE(deep(R"({"a":1,"b":[2,3]})").tree_hash, deep(R"({"a":1,"b":[3,2]})").tree_hash);
}

TEST(Stats, NumberHashIsOrderIndependentAndExact) {
  EXPECT_EQ(deep("[1,2.5,3]").stats.number_hash, deep("[3,1,2.5]").stats.number_hash);
  EXPECT_NE(deep("[0.1]").stats.number_hash, deep("[0.10000000000000002]").stats.number_hash);
  EXPECT_NE(deep("[1]").stats.number_hash, deep("[1.0]").stats.number_hash);
}

TEST(Compare, IdenticalDocumentsMatch) {
  Comparison c = compare(deep(R"({"a":"x","b":[1,2.5]})"), deep(R"({"b":[1,2.5],"a":"x"})"));
  EXPECT_EQ(c.error, "");
  EXPECT_EQ(c.number_mismatches, 0u);
}

TEST(Compare, CatchesAMissingMember) {
  Comparison c = compare(deep(R"({"a":1,"b":2})"), deep(R"({"a":1})"));
  EXPECT_NE(c.error.find("members: expected 2, got 1"), std::string::npos) << c.error;
}

TEST(Compare, CatchesChangedStringBytesOfTheSameLength) {
  Comparison c = compare(deep(R"(["abc"])"), deep(R"(["abd"])"));
  EXPECT_NE(c.error.find("string contents differ"), std::string::npos) << c.error;
}

TEST(Compare, CatchesAValueMovedToAnotherKey) {
  Comparison c = compare(deep(R"({"a":"x","b":"y"})"), deep(R"({"a":"y","b":"x"})"));
  EXPECT_NE(c.error.find("different keys or positions"), std::string::npos) << c.error;
}

TEST(Compare, CatchesATypeChange) {
  Comparison c = compare(deep(R"([null])"), deep(R"([false])"));
  EXPECT_NE(c.error.find("null: expected 1, got 0"), std::string::npos) << c.error;
}

TEST(Compare, CountsMisroundedNumbersWithoutFailing) {
  Comparison c = compare(deep("[0.1,0.2,7,1e300]"), deep("[0.10000000000000002,0.2,7,1.0000000000000002e300]"));
  EXPECT_EQ(c.error, "");
  EXPECT_EQ(c.number_mismatches, 2u);
}

TEST(Compare, AnIntegerThatBecameADoubleIsAMismatch) {
  Comparison c = compare(deep("[9007199254740993]"), deep("[9007199254740992.0]"));
  EXPECT_EQ(c.error, "");
  EXPECT_EQ(c.number_mismatches, 1u);
}

TEST(DeepStats, AddKeepsDocumentsOrderedAndNumbersSorted) {
  DeepStats ab = deep("[1]");
  ab.add(deep("[2]"));
  DeepStats ba = deep("[2]");
  ba.add(deep("[1]"));
  EXPECT_NE(ab.tree_hash, ba.tree_hash);
  EXPECT_EQ(ab.numbers, ba.numbers);
  EXPECT_TRUE(std::is_sorted(ab.numbers.begin(), ab.numbers.end()));
}

}  // namespace
}  // namespace hotbench::json

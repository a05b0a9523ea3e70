// The statistics and hashes that validation rests on: they must see through
// what JSON leaves unspecified (member order, integer representation) and catch
// everything else, and compare() must tell a broken document from a misrounded
// number.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>

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

TEST(Compare, CountsDoublesMisroundedWithinTheBound) {
  Comparison c = compare(deep("[0.1,0.2,7,1e300]"), deep("[0.10000000000000002,0.2,7,1.0000000000000002e300]"), 1);
  EXPECT_EQ(c.error, "");
  EXPECT_EQ(c.number_mismatches, 2u);
  EXPECT_EQ(c.max_ulp_error, 1u);
}

TEST(Compare, AMisroundedDoubleIsWrongForALibraryThatRoundsCorrectly) {
  Comparison c = compare(deep("[0.1]"), deep("[0.10000000000000002]"));  // bound 0
  EXPECT_NE(c.error.find("1 units in the last place away, more than this library's bound of 0"), std::string::npos)
      << c.error;
}

TEST(Compare, ZeroForEveryNumberIsWrong) {
  Comparison c = compare(deep(R"({"i":7,"d":2.5,"n":-3})"), deep(R"({"i":0,"d":0.0,"n":0})"), 1000);
  EXPECT_NE(c.error.find("3 of 3 numbers are wrong"), std::string::npos) << c.error;
}

TEST(Compare, AnIntegerOffByOneIsWrong) {
  Comparison c = compare(deep("[7,8]"), deep("[7,9]"), 1000);
  EXPECT_NE(c.error.find("expected integer 8, got integer 9"), std::string::npos) << c.error;
}

TEST(Compare, AnIntegerThatBecameADoubleIsWrong) {
  // Above 2^53 the double cannot even hold it; below, the kind is still wrong.
  Comparison big = compare(deep("[9007199254740993]"), deep("[9007199254740992.0]"), 1000);
  EXPECT_NE(big.error.find("an integer of another value or kind"), std::string::npos) << big.error;
  Comparison small = compare(deep("[5]"), deep("[5.0]"), 1000);
  EXPECT_NE(small.error.find("expected integer 5, got double 5"), std::string::npos) << small.error;
}

TEST(Compare, MinusZeroMayComeBackAsADoubleZeroOnly) {
  Comparison zero = compare(deep("[-0]"), deep("[-0.0]"));
  EXPECT_EQ(zero.error, "");
  EXPECT_EQ(zero.number_mismatches, 1u);
  Comparison one = compare(deep("[1]"), deep("[1.0]"));
  EXPECT_NE(one.error, "");
}

TEST(Compare, ADoubleThatBecameAnIntegerIsWrong) {
  Comparison c = compare(deep("[2.0]"), deep("[2]"), 1000);
  EXPECT_NE(c.error.find("an integer for a number the text writes as a double"), std::string::npos) << c.error;
}

TEST(Compare, AWrongSignOrExponentIsWrong) {
  Comparison sign = compare(deep("[0.5]"), deep("[-0.5]"), 1000);
  EXPECT_NE(sign.error.find("the wrong sign"), std::string::npos) << sign.error;
  Comparison exponent = compare(deep("[1.5e10]"), deep("[1.5e11]"), 1000);
  EXPECT_NE(exponent.error.find("units in the last place away"), std::string::npos) << exponent.error;
}

TEST(Compare, DoublesSwappedBetweenKeysAreWrong) {
  // Same multiset of numbers, so a sorted list of them could not tell.
  Comparison c = compare(deep(R"({"a":1.5,"b":2.5})"), deep(R"({"a":2.5,"b":1.5})"), 1000);
  EXPECT_NE(c.error.find("numbers are wrong"), std::string::npos) << c.error;
}

TEST(Compare, TheTreeIsCheckedBesideAMisroundedDouble) {
  Comparison c = compare(deep(R"({"a":"x","b":"y","c":0.1})"), deep(R"({"a":"y","b":"x","c":0.10000000000000002})"), 1);
  EXPECT_NE(c.error.find("different keys or positions"), std::string::npos) << c.error;
}

TEST(Compare, NumbersArePairedByPlaceWhateverTheMemberOrder) {
  // nlohmann::json walks members sorted by key.
  Comparison c = compare(deep(R"({"z":1.5,"a":[1,{"m":2.5,"b":-7}]})"), deep(R"({"a":[1,{"b":-7,"m":2.5}],"z":1.5})"));
  EXPECT_EQ(c.error, "");
  EXPECT_EQ(c.number_mismatches, 0u);
}

TEST(Compare, NumbersOfDifferentDocumentsAreNotPaired) {
  DeepStats want = deep("[1]"), got = deep("[2]");
  want.add(deep("[2]"));
  got.add(deep("[1]"));
  EXPECT_NE(compare(want, got).error, "");
}

TEST(Ulp, DistanceCountsAdjacentDoubles) {
  EXPECT_EQ(ulp_distance(1.0, 1.0), 0u);
  EXPECT_EQ(ulp_distance(1.0, std::nextafter(1.0, 2.0)), 1u);
  EXPECT_EQ(ulp_distance(std::nextafter(1.0, 0.0), std::nextafter(1.0, 2.0)), 2u);  // across a power of two
  EXPECT_EQ(ulp_distance(-0.1, -0.10000000000000002), 1u);
  EXPECT_EQ(ulp_distance(0.0, 5e-324), 1u);
  EXPECT_EQ(ulp_distance(1.7976931348623157e308, std::numeric_limits<double>::infinity()), 1u);
}

TEST(DeepStats, AddKeepsDocumentsOrderedAndNumbersInTheirDocuments) {
  DeepStats ab = deep("[1]");
  ab.add(deep("[2]"));
  DeepStats ba = deep("[2]");
  ba.add(deep("[1]"));
  EXPECT_NE(ab.tree_hash, ba.tree_hash);
  ASSERT_EQ(ab.numbers.size(), 2u);
  EXPECT_EQ(ab.documents, 2u);
  EXPECT_EQ(ab.numbers[0].document, 0u);
  EXPECT_EQ(ab.numbers[1].document, 1u);
  EXPECT_EQ(ab.numbers[1].value, NumberKey::of_int(2));
  EXPECT_TRUE(std::is_sorted(ab.numbers.begin(), ab.numbers.end()));
}

}  // namespace
}  // namespace hotbench::json

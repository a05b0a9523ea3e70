// Every registered parse and serialize family against hand-written documents
// that hit the usual traps. The families come from the registry, so a new
// adapter is tested here without touching this file.
#include <gtest/gtest.h>

#include <set>

#include "json/contract.h"
#include "json/reference.h"
#include "tests/test_util.h"

namespace hotbench::json {
namespace {

struct Doc {
  const char* name;
  std::string text;
};

std::vector<Doc> documents() {
  return {
      {"escapes", R"({"q":"say \"hi\"","b":"a\\b","ctl":"\b\f\n\r\t\u0001","slash":"\/x","nul":"a\u0000b"})"},
      {"unicode", R"(["\u00e9\u4e2d\ud83d\ude00","é中😀",{"\ud83d\ude00":"key with a surrogate pair"}])"},
      {"integers",
       R"([0,-1,9007199254740993,-9007199254740993,9223372036854775807,-9223372036854775808,9223372036854775808,18446744073709551615])"},
      {"doubles",
       R"([0.1,0.30000000000000004,1e-300,5e-324,2.2250738585072014e-308,1.7976931348623157e308,-0.5,3.141592653589793,1E+2,123456.789e-3])"},
      {"empty", R"({"o":{},"a":[],"s":"","nested":[[],{},[{}]]})"},
      {"deep", std::string(200, '[') + "1" + std::string(200, ']')},
      {"deep_objects", [] {
         std::string s;
         for (int i = 0; i < 100; ++i) s += "{\"k\":";
         s += "null";
         for (int i = 0; i < 100; ++i) s += "}";
         return s;
       }()},
      {"scalar_string", R"("just a string")"},
      {"scalar_number", "42"},
      {"scalar_null", "null"},
      {"whitespace", " \n\t{ \"a\" : [ 1 , 2 ] }\r\n "},
  };
}

// Which implementations are allowed to misround doubles: the documented
// findings, not harness failures.
bool imprecise(const Family& f) {
  return (f.library == "rapidjson" && f.variant.empty()) || f.library == "boost_json";
}

class EveryDomFamily : public ::testing::TestWithParam<Family> {};

TEST_P(EveryDomFamily, MatchesTheReferenceOnTrickyDocuments) {
  const Family& f = GetParam();
  test::TempDir dir;
  for (const auto& doc : documents()) {
    std::string path = dir.write(std::string(doc.name) + ".json", doc.text);
    Check c = test::check_family(f, path);
    EXPECT_TRUE(c.ok()) << test::family_name(f) << " on " << doc.name << ": " << c.error;
    if (c.ok() && !imprecise(f)) {
      EXPECT_EQ(test::finding(c, "number_mismatches"), 0) << test::family_name(f) << " on " << doc.name;
    }
  }
}

TEST_P(EveryDomFamily, HandlesManyDocumentsPerFile) {
  test::TempDir dir;
  std::string path = dir.write("lines.jsonl", "{\"id\":1,\"s\":\"a\"}\n\n[1,2,3]\r\n\"x\"\n{\"id\":18446744073709551615}");
  Check c = test::check_family(GetParam(), path);
  EXPECT_TRUE(c.ok()) << test::family_name(GetParam()) << ": " << c.error;
}

std::vector<Family> dom_families() {
  std::vector<Family> out;
  for (const auto& f : families())
    if (f.task == "parse" || f.task == "serialize") out.push_back(f);
  return out;
}

INSTANTIATE_TEST_SUITE_P(Registered, EveryDomFamily, ::testing::ValuesIn(dom_families()),
                         [](const auto& info) { return test::test_name_of(info.param); });

TEST(Registry, HasTheLibrariesTheSuitePromises) {
  std::set<std::string> names;
  for (const auto& f : families()) names.insert(test::family_name(f));
  for (const char* want :
       {"parse/boost_json", "parse/boost_json:monotonic", "parse/rapidjson", "parse/rapidjson:precise",
        "parse/rapidjson:insitu", "parse/simdjson:dom", "parse/simdjson:ondemand", "parse/nlohmann",
        "serialize/boost_json", "serialize/rapidjson", "serialize/simdjson:dom", "serialize/nlohmann"})
    EXPECT_TRUE(names.count(want)) << want;
}

TEST(Findings, DefaultRapidjsonMisroundsWhatPreciseGetsRight) {
  // Doubles that need more than the fast path; RapidJSON's default mode
  // rounds some of them differently from a correctly rounded parse.
  std::string text = "[";
  for (int i = 0; i < 200; ++i) {
    if (i > 0) text += ',';
    text += std::to_string(i);
    text += ".1234567890123456";
    text += std::to_string(i % 10);
  }
  text += "]";
  test::TempDir dir;
  std::string path = dir.write("doubles.json", text);
  for (const auto& f : families()) {
    if (f.task != "parse" || f.library != "rapidjson" || f.variant == "insitu") continue;
    Check c = test::check_family(f, path);
    ASSERT_TRUE(c.ok()) << c.error;
    if (f.variant == "precise")
      EXPECT_EQ(test::finding(c, "number_mismatches"), 0);
    else
      EXPECT_GT(test::finding(c, "number_mismatches"), 0) << "expected the documented misrounding";
  }
}

}  // namespace
}  // namespace hotbench::json

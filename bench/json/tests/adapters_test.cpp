// Every registered parse and serialize family against hand-written documents
// that hit the usual traps. The families come from the registry, so a new
// adapter is tested here without touching this file.
#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <cstdio>
#include <random>
#include <set>

#include "json/contract.h"
#include "json/reference.h"
#include "harness/test_util.h"

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
       R"([0,-0,-1,9007199254740993,-9007199254740993,9223372036854775807,-9223372036854775808,9223372036854775808,18446744073709551615])"},
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

class EveryDomFamily : public ::testing::TestWithParam<Family> {};

TEST_P(EveryDomFamily, MatchesTheReferenceOnTrickyDocuments) {
  const Family& f = GetParam();
  test::TempDir dir;
  for (const auto& doc : documents()) {
    std::string path = dir.write(std::string(doc.name) + ".json", doc.text);
    // Numbers are judged by each library's declared bound (kMaxUlpError): a
    // misrounding beyond it, or any wrong integer, fails the check.
    Check c = test::check_family(f, path);
    EXPECT_TRUE(c.ok()) << test::family_name(f) << " on " << doc.name << ": " << c.error;
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
    if (f.task == "parse" || f.task == "parse_only" || f.task == "serialize") out.push_back(f);
  return out;
}

INSTANTIATE_TEST_SUITE_P(Registered, EveryDomFamily, ::testing::ValuesIn(dom_families()),
                         [](const auto& info) { return test::test_name_of(info.param); });

TEST(Registry, EveryParseThatBuildsADocumentHasAParseOnlyRow) {
  std::set<std::string> names;
  for (const auto& f : families()) names.insert(test::family_name(f));
  for (const auto& f : families()) {
    if (f.task != "parse") continue;
    std::string impl = f.library + (f.variant.empty() ? "" : ":" + f.variant);
    // On-Demand is lazy: its parse alone builds nothing, so only the walking row exists.
    EXPECT_EQ(names.count("parse_only/" + impl), impl == "simdjson:ondemand" ? 0u : 1u) << impl;
  }
}

// Number-heavy documents: what a library's ULP bound is measured on (with the
// generated corpus; docs/json.md). Deterministic, so the bounds stay put.
std::vector<Doc> number_heavy_documents() {
  std::mt19937_64 rng(20261129);
  auto array_of = [](const std::vector<std::string>& items) {
    std::string s = "[";
    for (std::size_t i = 0; i < items.size(); ++i) s += (i ? "," : "") + items[i];
    return s + "]";
  };
  auto digits = [&](int n) {
    std::string d;
    d += static_cast<char>('1' + rng() % 9);
    for (int i = 1; i < n; ++i) d += static_cast<char>('0' + rng() % 10);
    return d;
  };
  std::vector<std::string> random_bits, near_halfway, long_mantissas, subnormals, powers_of_ten, short_decimals;
  char buf[128];
  for (int i = 0; i < 4000; ++i) {
    // Any finite double, written with 17 significant digits.
    double x;
    do x = std::bit_cast<double>(rng()); while (!std::isfinite(x));
    std::snprintf(buf, sizeof buf, "%.17g", x);
    random_bits.emplace_back(buf);
    // Within 1e-40 (relative) of the midpoint between two adjacent doubles:
    // the hardest inputs to round.
    double a = std::ldexp(static_cast<double>(rng() >> 11), static_cast<int>(rng() % 1800) - 1000);
    long double mid = (static_cast<long double>(a) + static_cast<long double>(std::nextafter(a, INFINITY))) / 2;
    std::snprintf(buf, sizeof buf, "%.17Le", mid);  // 18 significant digits
    near_halfway.emplace_back(buf);
    // 20 to 60 significant digits, beyond what a 64-bit mantissa holds.
    const int n = 20 + static_cast<int>(rng() % 41);
    const std::string m = digits(n);
    long_mantissas.push_back(m.substr(0, 1) + "." + m.substr(1) + "e" + std::to_string(static_cast<int>(rng() % 600) - 300));
    subnormals.push_back(digits(1 + static_cast<int>(rng() % 17)) + "e-" + std::to_string(310 + rng() % 14));
    // Short decimals as data carries them (prices, coordinates, measurements).
    const std::string sd = digits(1 + static_cast<int>(rng() % 15));
    const std::size_t point = 1 + rng() % sd.size();
    short_decimals.push_back(sd.substr(0, point) + "." + (point < sd.size() ? sd.substr(point) : "0"));
  }
  for (int e = -307; e <= 308; ++e) {
    for (const char* m : {"1", "9.999999999999999", "1.0000000000000002", "5", "2.5"})
      if (e < 308 || m[0] == '1') powers_of_ten.push_back(std::string(m) + "e" + std::to_string(e));  // finite only
  }
  // Near-halfway decimals with 41 digits, and 20-60-digit mantissas: beyond
  // what simdjson On-Demand 3.0.1's get_number() handles (see
  // LongMantissas below), so they are their own list.
  std::vector<std::string> long_halfway;
  for (int i = 0; i < 4000; ++i) {
    double a = std::ldexp(static_cast<double>(rng() >> 11), static_cast<int>(rng() % 1800) - 1000);
    long double mid = (static_cast<long double>(a) + static_cast<long double>(std::nextafter(a, INFINITY))) / 2;
    std::snprintf(buf, sizeof buf, "%.40Le", mid);
    long_halfway.emplace_back(buf);
  }
  return {{"random_bits", array_of(random_bits)},     {"near_halfway", array_of(near_halfway)},
          {"subnormals", array_of(subnormals)},       {"powers_of_ten", array_of(powers_of_ten)},
          {"short_decimals", array_of(short_decimals)}, {"long_mantissas", array_of(long_mantissas)},
          {"long_near_halfway", array_of(long_halfway)}};
}

bool more_than_18_digits(const Doc& doc) { return doc.name == std::string("long_mantissas") || doc.name == std::string("long_near_halfway"); }

class EveryParseFamily : public ::testing::TestWithParam<Family> {};

// Each library within its declared bound on the number-heavy documents; the
// measured distances are printed (docs/json.md lists them).
TEST_P(EveryParseFamily, KeepsItsDoublesWithinItsDeclaredBound) {
  const Family& f = GetParam();
  test::TempDir dir;
  for (const auto& doc : number_heavy_documents()) {
    Check c = test::check_family(f, dir.write(std::string(doc.name) + ".json", doc.text));
    if (more_than_18_digits(doc) && !c.ok()) {
      // A library that gets such numbers wrong must be caught as wrong, never pass.
      EXPECT_NE(c.error.find("numbers are wrong"), std::string::npos) << c.error;
      std::printf("[ finding  ] %-28s %-17s %s\n", test::family_name(f).c_str(), doc.name, c.error.substr(0, 240).c_str());
      continue;
    }
    EXPECT_TRUE(c.ok()) << test::family_name(f) << " on " << doc.name << ": " << c.error;
    if (c.ok())
      std::printf("[ measured ] %-28s %-15s max_ulp_error %g, number_mismatches %g\n", test::family_name(f).c_str(),
                  doc.name, test::finding(c, "max_ulp_error"), test::finding(c, "number_mismatches"));
  }
}

// 1e400 and 1e-400 are valid JSON. A library either returns the correctly
// rounded value (+-inf, +-0) or its row is an error that names the library's
// own complaint and says the numbers are beyond a double's range: never an
// "invalid JSON" verdict of the reference.
TEST_P(EveryParseFamily, NumbersBeyondTheRangeOfADoubleAreTheLibrarysFinding) {
  const Family& f = GetParam();
  test::TempDir dir;
  int file = 0;
  for (const char* text : {"[1e400,-1e400]", "[1e-400,-1e-400,123.4e-330]", "{\"a\":1.7976931348623159e308}",
                           "[9.999999999999999e308]"}) {
    // A file per text: datasets are cached by path.
    Check c = test::check_family(f, dir.write("beyond" + std::to_string(file++) + ".json", text));
    if (c.ok()) {
      EXPECT_GT(test::finding(c, "out_of_range_numbers"), 0) << text;
    } else {
      // The library's own complaint, or a wrong value caught by the check.
      EXPECT_EQ(c.error.find("invalid JSON"), std::string::npos) << c.error;
      EXPECT_TRUE(c.error.find("beyond the range of a double") != std::string::npos ||
                  c.error.find("numbers are wrong") != std::string::npos)
          << c.error;
    }
    std::printf("[ finding  ] %-28s %-40s %s\n", test::family_name(f).c_str(), text,
                c.ok() ? "accepted, correctly rounded" : c.error.c_str());
  }
}

std::vector<Family> parse_families() {
  std::vector<Family> out;
  for (const auto& f : families())
    if (f.task == "parse") out.push_back(f);
  return out;
}

INSTANTIATE_TEST_SUITE_P(Registered, EveryParseFamily, ::testing::ValuesIn(parse_families()),
                         [](const auto& info) { return test::test_name_of(info.param); });

// simdjson 3.0.1 On-Demand: number::get_double() after value::get_number()
// returns 0 for a double written with 19 or more significant digits
// (value::get_double() is right). The adapter walks numbers with get_number(),
// as the API suggests; the check turns the row into an error instead of a figure.
TEST(Findings, SimdjsonOndemandGetNumberReturnsZeroForLongDoubles) {
  test::TempDir dir;
  std::string path = dir.write("long.json", "[1.2345678901234567890123e10,0.5]");
  bool found = false;
  for (const auto& f : families()) {
    if (f.task != "parse" || f.library != "simdjson") continue;
    Check c = test::check_family(f, path);
    if (f.variant == "ondemand") {
      found = true;
      EXPECT_NE(c.error.find("expected double 12345678901.234568, got double 0"), std::string::npos) << c.error;
    } else {
      EXPECT_TRUE(c.ok()) << test::family_name(f) << ": " << c.error;
    }
  }
  EXPECT_TRUE(found);
}

// RapidJSON 1.1.0 with kParseFullPrecisionFlag turns 9.999999999999999e308
// (beyond DBL_MAX, so +inf when rounded) into a tiny negative number; the
// default flags return +inf.
TEST(Findings, PreciseRapidjsonReturnsANegativeNumberForAnOverflow) {
  test::TempDir dir;
  std::string path = dir.write("overflow.json", "[9.999999999999999e308]");
  for (const auto& f : families()) {
    if (f.task != "parse" || f.library != "rapidjson") continue;
    Check c = test::check_family(f, path);
    if (f.variant.empty())
      EXPECT_TRUE(c.ok()) << c.error;
    else
      EXPECT_NE(c.error.find("expected double inf, got double -3.09"), std::string::npos) << c.error;
  }
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

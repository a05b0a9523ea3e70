// Every registered typed codec against hand-written message files that hit the
// usual traps (escapes, astral characters, 64-bit integers, extreme doubles,
// nulls), and against messages that do not fit their struct. The families come
// from the registry, so a new codec is tested here without touching this file.
#include <gtest/gtest.h>

#include <cmath>
#include <set>
#include <string>
#include <vector>

#include "json/contract.h"
#include "json/typed/typed_cases.h"
#include "json/reference.h"
#include "json/stats.h"
#include "json/typed/messages.h"
#include "json/typed/reflect.h"
#include "harness/test_util.h"

namespace hotbench::json {
namespace {

// Members in declaration order, every member present: the wire format of
// messages.h. Doubles always carry a '.' or an exponent, as the generator
// writes them (an integer literal would be an int to the reference parser).
const char* const kOrders[] = {
    // uint64 max and an id above 2^53; a negative timestamp; every escape; an
    // astral character both escaped and raw; uint32 max; extreme doubles.
    R"({"id":18446744073709551615,"customer_id":9007199254740993,"created_at_ms":-62135596800000,"currency":"EUR",)"
    R"("items":[{"sku":"SKU-1","title":"say \"hi\" back\\slash \/ new\nline\ttab caf\u00e9 \ud83d\ude00 raw 😀 é中",)"
    R"("quantity":4294967295,"unit_price":0.1,"discount":5e-324},)"
    R"({"sku":"SKU-2","title":"",)"
    R"("quantity":0,"unit_price":1.7976931348623157e308,"discount":null}],)"
    R"("total":0.30000000000000004,"paid":true,"coupon":null,"note":"line1\r\nline2\u0001","tags":[],)"
    R"("shipping":{"name":"Zoë","street":"1 Rue","city":"Paris","postcode":null,"country":"FR"}})",
    // Above 2^63; empty items; the smallest normal double; present optionals.
    R"({"id":9223372036854775808,"customer_id":0,"created_at_ms":1734703972309,"currency":"USD","items":[],)"
    R"("total":2.2250738585072014e-308,"paid":false,"coupon":"SAVE10","note":"","tags":["a","\u00e9","😀"],)"
    R"("shipping":{"name":"n","street":"s","city":"c","postcode":"75001","country":"US"}})",
};

const char* const kProfiles[] = {
    R"({"id":1,"handle":"a","display_name":"\ud83d\ude00 😀 \u00e9","bio":"quote \" backslash \\ nl \n tab \t slash \/ ctl \u001f",)"
    R"("verified":true,"followers":-9223372036854775808,"following":9223372036854775807,"score":1e-300,)"
    R"("languages":[],"website":null,"location":null,"created_at_ms":-1})",
    // A present optional nested struct.
    R"({"id":18446744073709551615,"handle":"b","display_name":"","bio":"","verified":false,"followers":0,)"
    R"("following":0,"score":-0.0,"languages":["en","fr"],"website":"https:\/\/example.com\/~x",)"
    R"("location":{"lat":-33.8688197,"lon":151.2092955},"created_at_ms":1700000000000})",
};

const char* const kEvents[] = {
    R"({"id":0,"type":"click","ts_ms":-1000,"actor":{"id":18446744073709551615,"kind":"user","ip":null},)"
    R"("metadata":{"trace_id":"0123456789abcdef0123456789abcdef","span_id":9007199254740993,"region":"eu-west-1",)"
    R"("sampled":true,"retries":-2147483648,"attributes":[]},"values":[],"error":null})",
    R"({"id":9223372036854775809,"type":"error","ts_ms":9223372036854775807,"actor":{"id":5,"kind":"svc","ip":"10.0.0.1"},)"
    R"("metadata":{"trace_id":"t","span_id":0,"region":"","sampled":false,"retries":2147483647,)"
    R"("attributes":[{"key":"k\"","value":"v\\"},{"key":"\u00e9","value":"😀"}]},)"
    R"("values":[0.1,1e-300,1.7976931348623157e308,5e-324,2.2250738585072014e-308,0.30000000000000004,-0.0,-1.5e10],)"
    R"("error":"boom\n"})",
};

// Control characters inside long strings, at every offset modulo 16: SIMD
// string scanners handle them in 16-byte blocks (RapidJSON 1.1.0's SSE4.2
// writer copies 0x1A-0x1F raw when they fall inside an aligned block).
std::string control_characters_order() {
  std::string tags;
  for (int offset = 0; offset < 16; ++offset) {
    tags += offset ? ",\"" : "\"";
    tags.append(static_cast<std::size_t>(offset), '.');
    tags += R"(\u0001\u0008\u000b\u0019)";
    for (int i = 0; i < 4; ++i) tags += R"(\u001a\u001b\u001c\u001d\u001e\u001f)";
    tags += "....................\"";
  }
  return R"({"id":1,"customer_id":2,"created_at_ms":3,"currency":"X","items":[],"total":0.5,"paid":true,)"
         R"("coupon":null,"note":null,"tags":[)" +
         tags + R"(],"shipping":{"name":"","street":"","city":"","postcode":null,"country":""}})";
}

std::string lines(const auto& messages) {
  std::string out;
  for (const char* m : messages) out += std::string(m) + "\n";
  return out;
}

struct MessageFile {
  const char* kind;
  std::string content;
};
std::vector<MessageFile> message_files() {
  return {{"orders", lines(kOrders) + control_characters_order() + "\n"},
          {"profiles", lines(kProfiles)},
          {"events", lines(kEvents)}};
}

std::vector<Family> typed_families(const std::string& task) {
  std::vector<Family> out;
  for (const auto& f : families())
    if (f.task == task) out.push_back(f);
  return out;
}

// A codec that refuses to run in this build (simdjson On-Demand compiled for
// its scalar kernel) is a configuration to report, not a defect to test.
bool unavailable_here(const Check& c) { return c.error.find("scalar fallback kernel") != std::string::npos; }

std::string test_name(const ::testing::TestParamInfo<Family>& info) { return test::test_name_of(info.param); }

class TypedFamily : public ::testing::TestWithParam<Family> {};

TEST_P(TypedFamily, MatchesTheReferenceOnEveryMessageKind) {
  const Family& f = GetParam();
  int applied = 0;
  for (const auto& [kind, content] : message_files()) {
    test::TempDir dir;
    std::string path = dir.write(std::string(kind) + ".jsonl", content);
    if (!f.for_dataset(path)) continue;
    ++applied;
    Check c = test::check_family(f, path);
    if (unavailable_here(c)) GTEST_SKIP() << c.error;
    EXPECT_TRUE(c.ok()) << test::family_name(f) << " on " << kind << ": " << c.error;
    if (c.ok()) {
      EXPECT_EQ(test::finding(c, "number_mismatches"), 0) << test::family_name(f) << " on " << kind;
    }
  }
  EXPECT_GT(applied, 0) << test::family_name(f) << " applies to no message file";
}

TEST_P(TypedFamily, IgnoresDatasetsThatAreNotItsMessageFile) {
  test::TempDir dir;
  EXPECT_FALSE(GetParam().for_dataset(dir.write("social.json", "{}")));
}

INSTANTIATE_TEST_SUITE_P(Decode, TypedFamily, ::testing::ValuesIn(typed_families("typed_decode")), test_name);
INSTANTIATE_TEST_SUITE_P(Encode, TypedFamily, ::testing::ValuesIn(typed_families("typed_encode")), test_name);

// Valid JSON that does not fit Order, each spliced into the first order.
struct Misfit {
  const char* name;
  std::string from, to;
};
std::vector<Misfit> misfits() {
  return {
      {"missing_member", R"("paid":true,)", ""},
      {"unknown_member", R"("paid":true,)", R"("paid":true,"extra":1,)"},
      {"duplicate_member", R"("paid":true,)", R"("paid":true,"paid":false,)"},
      {"array_for_struct", R"("shipping":{"name":"Zoë","street":"1 Rue","city":"Paris","postcode":null,"country":"FR"})",
       R"("shipping":[])"},
      {"string_for_integer", R"("quantity":4294967295,)", R"("quantity":"3",)"},
      {"uint32_out_of_range", R"("quantity":4294967295,)", R"("quantity":4294967296,)"},
      {"negative_for_unsigned", R"("customer_id":9007199254740993,)", R"("customer_id":-1,)"},
      {"null_for_required", R"("currency":"EUR",)", R"("currency":null,)"},
  };
}

class TypedDecodeRejects : public ::testing::TestWithParam<Family> {};

TEST_P(TypedDecodeRejects, MessagesThatDoNotFitTheStruct) {
  const Family& f = GetParam();
  test::TempDir probe;
  if (!f.for_dataset(probe.write("orders.jsonl", "{}"))) GTEST_SKIP() << "not an orders codec";
  for (const auto& m : misfits()) {
    std::string order = kOrders[0];
    std::size_t at = order.find(m.from);
    ASSERT_NE(at, std::string::npos) << m.name;
    order.replace(at, m.from.size(), m.to);
    test::TempDir dir;
    std::string path = dir.write("orders.jsonl", std::string(kOrders[1]) + "\n" + order + "\n");
    Check c = test::check_family(f, path);
    if (unavailable_here(c)) GTEST_SKIP() << c.error;
    EXPECT_FALSE(c.ok()) << test::family_name(f) << " accepted " << m.name;
    EXPECT_NE(c.error.find(path), std::string::npos) << m.name << ": the error should name the file: " << c.error;
    EXPECT_NE(c.error.find("document 1"), std::string::npos) << m.name << ": the error should name the document: "
                                                             << c.error;
  }
}

INSTANTIATE_TEST_SUITE_P(Registered, TypedDecodeRejects, ::testing::ValuesIn(typed_families("typed_decode")),
                         test_name);

TEST(TypedEncode, RefusesToCheckWhenTheDecodeFails) {
  test::TempDir dir;
  std::string order = kOrders[0];
  order.replace(order.find(R"("paid":true,)"), 12, "");
  std::string path = dir.write("orders.jsonl", order + "\n");
  for (const auto& f : typed_families("typed_encode")) {
    if (!f.for_dataset(path)) continue;
    Check c = test::check_family(f, path);
    EXPECT_NE(c.error.find("cannot be checked"), std::string::npos) << test::family_name(f) << ": " << c.error;
  }
}

// typed_decode judges numbers by the same rules as a parse (stats.h, compare):
// planted codecs that decode a GeoPoint message with a defect.
enum class GeoDefect { none, zero, misround_one_ulp };

template <GeoDefect D, std::uint64_t Bound>
struct PlantedGeoCodec {
  static constexpr std::uint64_t kMaxUlpError = Bound;
  template <class T>
  void decode(std::string_view text, T& out) {
    struct Doubles : StatsVisitor {
      std::vector<double> seen;
      void dbl(double x) { seen.push_back(x); }
    } v;
    parse_reference(text, v);
    out.lat = v.seen.at(0);
    out.lon = v.seen.at(1);
    if constexpr (D == GeoDefect::zero) out.lat = out.lon = 0.0;
    if constexpr (D == GeoDefect::misround_one_ulp) out.lat = std::nextafter(out.lat, 1e308);
  }
};

template <class Codec>
Check check_geo_decode() {
  test::TempDir dir;
  std::string path = dir.write("points.jsonl", "{\"lat\":-33.8688197,\"lon\":151.2092955}\n{\"lat\":0.1,\"lon\":2.5}\n");
  TypedDecodeCase<Codec, typed::GeoPoint> c(Dataset::load(path));
  return c.check();
}

TEST(TypedDecode, JudgesNumbersLikeAParse) {
  Check good = check_geo_decode<PlantedGeoCodec<GeoDefect::none, 0>>();
  EXPECT_TRUE(good.ok()) << good.error;
  Check zero = check_geo_decode<PlantedGeoCodec<GeoDefect::zero, 1000>>();
  EXPECT_NE(zero.error.find("document 0: 2 of 2 numbers are wrong"), std::string::npos) << zero.error;
  Check beyond = check_geo_decode<PlantedGeoCodec<GeoDefect::misround_one_ulp, 0>>();
  EXPECT_NE(beyond.error.find("more than this library's bound of 0"), std::string::npos) << beyond.error;
  Check within = check_geo_decode<PlantedGeoCodec<GeoDefect::misround_one_ulp, 1>>();
  EXPECT_TRUE(within.ok()) << within.error;
  EXPECT_EQ(test::finding(within, "number_mismatches"), 2);
  EXPECT_EQ(test::finding(within, "max_ulp_error"), 1);
}

TEST(TypedRegistry, EveryLibraryHasItsTypedFamilies) {
  std::set<std::string> names;
  for (const auto& f : families()) names.insert(test::family_name(f));
  for (const char* want : {"typed_decode/boost_json", "typed_decode/rapidjson", "typed_decode/simdjson:ondemand",
                           "typed_decode/nlohmann", "typed_encode/boost_json", "typed_encode/rapidjson",
                           "typed_encode/nlohmann"})
    EXPECT_TRUE(names.count(want)) << want;
  EXPECT_FALSE(names.count("typed_encode/simdjson:ondemand")) << "simdjson has no encoder";
}

// walk() must report a struct exactly as the reference parser reports the
// same message's text: that is what every typed check rests on.
TEST(TypedWalk, MatchesTheReferenceParseOfTheWireForm) {
  using namespace typed;
  UserProfile p;
  p.id = 18446744073709551615ULL;
  p.handle = "h";
  p.display_name = "caf\xc3\xa9 \xf0\x9f\x98\x80";
  p.bio = "q\"b\\n\n";
  p.verified = true;
  p.followers = -5;
  p.following = 7;
  p.score = 0.1;
  p.languages = {"en", ""};
  p.website = std::nullopt;
  p.location = GeoPoint{1.5, -2e-300};
  p.created_at_ms = -1;
  DeepVisitor walked;
  walk(p, walked);

  DeepVisitor parsed;
  parse_reference(R"({"id":18446744073709551615,"handle":"h","display_name":"caf\u00e9 \ud83d\ude00",)"
                  R"("bio":"q\"b\\n\n","verified":true,"followers":-5,"following":7,"score":0.1,)"
                  R"("languages":["en",""],"website":null,"location":{"lat":1.5,"lon":-2e-300},"created_at_ms":-1})",
                  parsed);

  DeepStats want = parsed.finish(), got = walked.finish();
  Comparison c = compare(want, got);
  EXPECT_EQ(c.error, "");
  EXPECT_EQ(c.number_mismatches, 0u);
  EXPECT_TRUE(got.stats == want.stats) << got.stats.diff(want.stats);
  EXPECT_EQ(got.tree_hash, want.tree_hash);
  EXPECT_TRUE(got.numbers == want.numbers);
}

TEST(TypedWalk, NoticesADifferentValue) {
  typed::GeoPoint a{1.0, 2.0}, b{2.0, 1.0};
  DeepVisitor va, vb;
  typed::walk(a, va);
  typed::walk(b, vb);
  EXPECT_NE(compare(va.finish(), vb.finish()).error, "");
}

TEST(TypedWalk, ReportsNarrowIntegersByTheirSign) {
  typed::EventMetadata m{"t", 3, "r", false, -7, {}};
  DeepVisitor walked, parsed;
  typed::walk(m, walked);
  parse_reference(R"({"trace_id":"t","span_id":3,"region":"r","sampled":false,"retries":-7,"attributes":[]})", parsed);
  EXPECT_TRUE(walked.finish().numbers == parsed.finish().numbers);
}

}  // namespace
}  // namespace hotbench::json

// RapidJSON 1.1.0's SSE4.2 writer leaves U+001A..U+001F unescaped, which is
// why serialize/rapidjson uses the scalar writer. Validation must turn the bug
// into an error; if a RapidJSON update fixes it, this test says so.
#include <gtest/gtest.h>

#include "json/adapters/rapidjson_adapter.h"  // the SSE4.2 build, as rapidjson.cpp uses it
#include "test_util.h"

namespace hotbench::json {
namespace {

TEST(Findings, RapidjsonSse42WriterEmitsInvalidJsonForSomeControlCharacters) {
#ifndef RAPIDJSON_SSE42
  GTEST_SKIP() << "built without RAPIDJSON_SSE42 (-march without SSE4.2)";
#endif
  test::TempDir dir;
  // Long strings: the SIMD scan only handles whole 16-byte blocks.
  std::string path = dir.write(
      "ctl.json", R"(["a long string with a unit separator \u001f in the middle of it", "sub \u001a too, after 16 bytes"])");
  SerializeCase<RapidJson<kPrecise>> sse42(Dataset::load(path));
  Check c = sse42.check();
  EXPECT_NE(c.error.find("serialized output is not valid JSON"), std::string::npos) << "bug fixed? " << c.error;

  for (const auto& f : families())
    if (f.task == "serialize" && f.library == "rapidjson") {
      Check scalar = test::check_family(f, path);
      EXPECT_TRUE(scalar.ok()) << scalar.error;
    }
}

}  // namespace
}  // namespace hotbench::json

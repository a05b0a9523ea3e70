// RapidJSON 1.1.0's default Writer<StringBuffer>, built with RAPIDJSON_SSE42 as
// the suite builds it, leaves U+001A..U+001F unescaped when they fall inside an
// aligned 16-byte block: invalid JSON. The suite's Writer (rapidjson_writer.h)
// must escape them. If a RapidJSON update fixes the bug, this test says so.
#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include "json/rapidjson_writer.h"
#include "json/reference.h"
#include "json/stats.h"

namespace hotbench::json {
namespace {

template <class Writer>
bool writes_valid_json(const rapidjson::Document& doc) {
  rapidjson::StringBuffer out;
  Writer writer(out);
  doc.Accept(writer);
  StatsVisitor v;
  try {
    parse_reference({out.GetString(), out.GetSize()}, v);
    return true;
  } catch (const SyntaxError&) {
    return false;
  }
}

TEST(Findings, RapidjsonSse42WriterEmitsInvalidJsonForSomeControlCharacters) {
#ifndef RAPIDJSON_SSE42
  GTEST_SKIP() << "built without RAPIDJSON_SSE42 (-march without SSE4.2)";
#endif
  // The character at every offset modulo 16, so one lands inside an aligned block.
  std::string text = "[";
  for (int offset = 0; offset < 16; ++offset) {
    if (offset > 0) text += ',';
    text += '"' + std::string(static_cast<std::size_t>(offset), 'a') + "\\u001f and \\u001a inside a long string\"";
  }
  text += "]";
  rapidjson::Document doc;
  doc.Parse(text.data(), text.size());
  ASSERT_FALSE(doc.HasParseError());
  EXPECT_FALSE(writes_valid_json<rapidjson::Writer<rapidjson::StringBuffer>>(doc)) << "bug fixed?";
  EXPECT_TRUE(writes_valid_json<RapidjsonWriter>(doc));
}

}  // namespace
}  // namespace hotbench::json

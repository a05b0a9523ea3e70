// Datasets: documents split and padded as adapters expect, and bad input named
// precisely (file, line, column, byte) instead of reaching a library.
#include <benchmark/benchmark.h>
#include <gtest/gtest.h>

#include "harness/alloc_counter.h"
#include "json/dataset.h"
#include "harness/test_util.h"

namespace hotbench::json {
namespace {

std::string load_error(const std::string& path) {
  try {
    Dataset::load(path);
  } catch (const DatasetError& e) {
    return e.what();
  }
  return "";
}

TEST(Dataset, SplitsLinesAndPadsEveryDocument) {
  test::TempDir dir;
  auto d = Dataset::load(dir.write("m.jsonl", "{\"a\":1}\r\n\n  \n[2]\n"));
  ASSERT_EQ(d->documents.size(), 2u);
  EXPECT_EQ(d->documents[0], "{\"a\":1}");
  EXPECT_EQ(d->documents[1], "[2]");
  EXPECT_EQ(d->bytes, 10u);
  EXPECT_EQ(d->name, "m");
  for (auto doc : d->documents)
    for (std::size_t i = 0; i < kPadding; ++i) EXPECT_EQ(doc.data()[doc.size() + i], '\0');
}

TEST(Dataset, InvalidJsonNamesFileLineColumnAndByte) {
  test::TempDir dir;
  std::string path = dir.write("bad.json", "{\n  \"a\": [1, 2,]\n}");
  std::string e = load_error(path);
  EXPECT_NE(e.find(path + ": line 2, column 14 (byte 15): invalid JSON"), std::string::npos) << e;
}

TEST(Dataset, InvalidLineInAJsonlFileIsLocatedInTheFile) {
  test::TempDir dir;
  std::string path = dir.write("bad.jsonl", "{\"ok\":1}\n{\"ok\":tru}\n");
  std::string e = load_error(path);
  EXPECT_NE(e.find("line 2, column 7 (byte 15)"), std::string::npos) << e;
}

TEST(Dataset, EmptyFileIsAnError) {
  test::TempDir dir;
  EXPECT_NE(load_error(dir.write("empty.json", " \n")).find("the file is empty"), std::string::npos);
}

TEST(Dataset, TooDeepIsRejectedBeforeAnyLibrary) {
  test::TempDir dir;
  std::string deep = std::string(10000, '[') + std::string(10000, ']');
  EXPECT_NE(load_error(dir.write("deep.json", deep)).find("nesting deeper than"), std::string::npos);
}

TEST(Harness, AnInvalidDatasetBecomesAnErrorForEveryFamily) {
  test::TempDir dir;
  std::string path = dir.write("broken.json", "[1,2");
  for (const auto& f : families()) {
    CaseFactory make = f.for_dataset(path);
    if (!make) continue;
    Check c = test::check_family(f, path);
    EXPECT_FALSE(c.ok()) << test::family_name(f);
    EXPECT_NE(c.error.find("broken.json: line 1, column 5 (byte 4)"), std::string::npos) << c.error;
  }
}

TEST(AllocCounter, CountsMallocLevelAllocations) {
  if (!alloc::available()) GTEST_SKIP() << "malloc hooks are compiled out under sanitizers";
  alloc::start();
  void* p = std::malloc(100);
  auto* q = new std::string(1000, 'x');
  benchmark::DoNotOptimize(p);  // or the compiler may drop the malloc/free pair
  benchmark::DoNotOptimize(q);
  alloc::Totals t = alloc::stop();
  std::free(p);
  delete q;
  EXPECT_GE(t.allocations, 2u);
  EXPECT_GE(t.bytes, 1100u);
  alloc::start();
  EXPECT_EQ(alloc::stop().allocations, 0u);
}

}  // namespace
}  // namespace hotbench::json

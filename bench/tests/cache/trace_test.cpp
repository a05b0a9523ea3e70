// Trace readers on small files, including malformed ones: errors name the
// file and the line or record.
#include <gtest/gtest.h>

#include "cache/trace.h"
#include "tests/test_util.h"

namespace hotbench::cache {
namespace {

std::string error_of(const std::string& path) {
  try {
    read_trace(path);
  } catch (const TraceError& e) {
    return e.what();
  }
  return "";
}

TEST(CsvTrace, KeysSizesAndOperations) {
  test::TempDir dir;
  const Trace t = read_trace(dir.write("t.csv", "a\nb,10\n\na,5,set\r\nc,1,get\n"));
  EXPECT_EQ(t.requests.ids, (std::vector<std::uint32_t>{0, 1, 0, 2}));
  EXPECT_EQ(t.requests.writes, (std::vector<std::uint8_t>{0, 0, 1, 0}));
  EXPECT_EQ(t.distinct_keys, 3u);
}

TEST(CsvTrace, HeaderChoosesColumnOrder) {
  test::TempDir dir;
  const Trace t = read_trace(dir.write("h.csv", "op,key\nget,x\nget,y\nget,x\n"));
  EXPECT_EQ(t.requests.ids, (std::vector<std::uint32_t>{0, 1, 0}));
  EXPECT_TRUE(t.requests.writes.empty());  // no writes: a read-only trace
}

TEST(CsvTrace, MalformedLinesAreNamed) {
  test::TempDir dir;
  const std::string bad_size = dir.write("s.csv", "a,1\nb,x\n");
  EXPECT_EQ(error_of(bad_size), bad_size + ": line 2: size 'x' is not a non-negative integer");
  const std::string column = dir.write("c.csv", "key,ttl\na,1\n");
  EXPECT_EQ(error_of(column), column + ": line 1: unknown column 'ttl' (known: key, size, op)");
  const std::string op = dir.write("o.csv", "a,1,get\na,1,delete\n");
  EXPECT_EQ(error_of(op), op + ": line 2: unknown operation 'delete' (known: get, read, set, put, write)");
  const std::string fields = dir.write("f.csv", "a,1,get,9\n");
  EXPECT_EQ(error_of(fields), fields + ": line 1: 4 fields, expected at most 3");
  const std::string empty_key = dir.write("k.csv", "a\n,3\n");
  EXPECT_EQ(error_of(empty_key), empty_key + ": line 2: empty key");
  const std::string empty = dir.write("e.csv", "\n\n");
  EXPECT_EQ(error_of(empty), empty + ": no requests");
  EXPECT_NE(error_of(dir.path() + "/missing.csv").find("missing.csv: cannot open"), std::string::npos);
  EXPECT_EQ(error_of(dir.write("x.txt", "a")), dir.path() + "/x.txt: not a trace (expected a .csv or .oracleGeneral file)");
}

TEST(OracleGeneralTrace, RoundTripsAndDensifiesIds) {
  test::TempDir dir;
  const std::string path = dir.path() + "/t.oracleGeneral";
  write_oracle_general(path, {5, 1ULL << 40, 5, 7});
  std::vector<std::uint64_t> ids;
  read_oracle_general_ids(path, ids);
  EXPECT_EQ(ids, (std::vector<std::uint64_t>{5, 1ULL << 40, 5, 7}));
  const Trace t = read_trace(path);
  EXPECT_EQ(t.requests.ids, (std::vector<std::uint32_t>{0, 1, 0, 2}));
  EXPECT_EQ(t.distinct_keys, 3u);
}

TEST(OracleGeneralTrace, TruncatedRecordIsNamed) {
  test::TempDir dir;
  const std::string path = dir.path() + "/cut.oracleGeneral";
  write_oracle_general(path, {1, 2});
  std::string bytes;
  {
    std::ifstream in(path, std::ios::binary);
    bytes.assign(std::istreambuf_iterator<char>(in), {});
  }
  dir.write("cut.oracleGeneral", bytes + std::string(10, '\0'));
  EXPECT_EQ(error_of(path), path + ": record 3 is truncated (10 of 24 bytes)");
  dir.write("cut.oracleGeneral", "");
  EXPECT_EQ(error_of(path), path + ": no records");
}

TEST(OracleGeneralTrace, LargeFilesReadAcrossBufferBoundaries) {
  test::TempDir dir;
  const std::string path = dir.path() + "/big.oracleGeneral";
  std::vector<std::uint64_t> want(200'003);
  for (std::size_t i = 0; i < want.size(); ++i) want[i] = i * 2654435761u;
  write_oracle_general(path, want);
  std::vector<std::uint64_t> got;
  read_oracle_general_ids(path, got);
  EXPECT_EQ(got, want);
}

}  // namespace
}  // namespace hotbench::cache
